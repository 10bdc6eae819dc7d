package dev.foundups.db.internal.routing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A standby's connection that runs a failed read once more on another node: when executing a prepared statement
 * fails because the standby went away (or refused: read-only, recovery conflict, a table it has not replayed yet),
 * the statement is prepared again on the retry connection, its parameters and settings replayed, and run there. The
 * caller, jOOQ, sees the second result and no error.
 */
final class RetryingRead implements InvocationHandler {

    private final Connection delegate;
    private final Node node;
    private final ReadRouting reads;
    private final List<Connection> extra = new ArrayList<>(1);

    private RetryingRead(Connection delegate, Node node, ReadRouting reads) {
        this.delegate = delegate;
        this.node = node;
        this.reads = reads;
    }

    static Connection wrap(Connection connection, Node node, ReadRouting reads) {
        return (Connection) Proxy.newProxyInstance(RetryingRead.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new RetryingRead(connection, node, reads));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.equals("prepareStatement")) {
            PreparedStatement statement = (PreparedStatement) call(delegate, method, args);
            return Proxy.newProxyInstance(RetryingRead.class.getClassLoader(), new Class<?>[] {PreparedStatement.class},
                    new Statement(statement, method, args, (Connection) proxy));
        }
        if (name.equals("close")) {
            try {
                for (Connection c : extra) {
                    c.close();
                }
            } finally {
                extra.clear();
                delegate.close();
            }
            return null;
        }
        if (name.equals("equals")) {
            return proxy == args[0];
        }
        if (name.equals("hashCode")) {
            return System.identityHashCode(proxy);
        }
        return call(delegate, method, args);
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A prepared statement that remembers how it was made and bound, to run it once more elsewhere. */
    private final class Statement implements InvocationHandler {
        private PreparedStatement current;
        private final Method prepare;
        private final Object[] prepareArgs;
        private final Connection owner;
        private final List<Object[]> calls = new ArrayList<>();
        private final List<Method> callMethods = new ArrayList<>();
        private boolean retried;

        Statement(PreparedStatement statement, Method prepare, Object[] prepareArgs, Connection owner) {
            this.current = statement;
            this.prepare = prepare;
            this.prepareArgs = prepareArgs;
            this.owner = owner;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.startsWith("set") || name.equals("clearParameters")) {
                if (name.equals("clearParameters")) {
                    calls.clear();
                    callMethods.clear();
                } else {
                    calls.add(args);
                    callMethods.add(method);
                }
                return call(current, method, args);
            }
            if (name.equals("getConnection")) {
                return owner;
            }
            if (name.equals("equals")) {
                return proxy == args[0];
            }
            if (name.equals("hashCode")) {
                return System.identityHashCode(proxy);
            }
            if (!retried && (name.equals("executeQuery") || name.equals("execute"))
                    && (args == null || args.length == 0)) {
                try {
                    return method.invoke(current, args);
                } catch (InvocationTargetException e) {
                    if (!(e.getCause() instanceof SQLException failure) || !SqlStates.retryableOnReplica(failure)) {
                        throw e.getCause();
                    }
                    retried = true;
                    Connection other = reads.retryConnection(node, failure);
                    extra.add(other);
                    PreparedStatement again = (PreparedStatement) call(other, prepare, prepareArgs);
                    for (int i = 0; i < calls.size(); i++) {
                        call(again, callMethods.get(i), calls.get(i));
                    }
                    try {
                        current.close();
                    } catch (SQLException ignored) {
                        // its connection is gone
                    }
                    current = again;
                    return call(current, method, args);
                }
            }
            return call(current, method, args);
        }
    }
}
