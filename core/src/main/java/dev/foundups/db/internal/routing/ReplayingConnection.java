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
import java.util.Set;

/**
 * A connection whose prepared statements can run once more on another connection after a failure: each statement
 * remembers how it was prepared and every call that set it up (parameters, settings, batch entries, in order), and
 * when an execution fails, a {@link Replay} decides whether to prepare it again elsewhere, replay those calls and run
 * it there. The caller (jOOQ) sees the last result and no error. Used for reads that a standby could not answer
 * ({@link RetryingRead}) and for statements that met a moved namespace's fence on its old shard.
 *
 * <p>Connections handed out by the replay are kept until this one is closed: the caller may still be reading a
 * result from them.
 */
public final class ReplayingConnection implements InvocationHandler {

    /** Decides where a failed statement runs again. */
    @FunctionalInterface
    public interface Replay {
        /**
         * @param failure  what the execution threw
         * @param original the wrapped connection, which the statement was first prepared on
         * @param attempt  0 for the first failure of this statement, then 1, ...
         * @return a connection to prepare and run the statement on again, or null to throw the failure
         * @throws SQLException to throw that instead
         */
        Connection again(SQLException failure, Connection original, int attempt) throws SQLException;
    }

    private static final Set<String> SETUP = Set.of("clearParameters", "addBatch", "clearBatch");

    private final Connection delegate;
    private final Set<String> replayed;
    private final Replay replay;
    private final List<Connection> extra = new ArrayList<>(1);

    private ReplayingConnection(Connection delegate, Set<String> replayed, Replay replay) {
        this.delegate = delegate;
        this.replayed = replayed;
        this.replay = replay;
    }

    /**
     * @param connection the connection to wrap; closed with the wrapper
     * @param replayed   the names of the argument-less executions that may run again, such as {@code executeQuery}
     * @param replay     where they run again
     * @return the wrapper
     */
    public static Connection wrap(Connection connection, Set<String> replayed, Replay replay) {
        return (Connection) Proxy.newProxyInstance(ReplayingConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new ReplayingConnection(connection, replayed, replay));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "prepareStatement" -> {
                PreparedStatement statement = (PreparedStatement) call(delegate, method, args);
                return Proxy.newProxyInstance(ReplayingConnection.class.getClassLoader(),
                        new Class<?>[] {PreparedStatement.class},
                        new Statement(statement, method, args, (Connection) proxy));
            }
            case "close" -> {
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
            case "equals" -> {
                return proxy == args[0];
            }
            case "hashCode" -> {
                return System.identityHashCode(proxy);
            }
            default -> {
                return call(delegate, method, args);
            }
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A prepared statement that remembers how it was made and set up, to run it again elsewhere. */
    private final class Statement implements InvocationHandler {
        private PreparedStatement current;
        private final Method prepare;
        private final Object[] prepareArgs;
        private final Connection owner;
        private final List<Method> calls = new ArrayList<>();
        private final List<Object[]> callArgs = new ArrayList<>();

        Statement(PreparedStatement statement, Method prepare, Object[] prepareArgs, Connection owner) {
            this.current = statement;
            this.prepare = prepare;
            this.prepareArgs = prepareArgs;
            this.owner = owner;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.startsWith("set") || SETUP.contains(name)) {
                calls.add(method);
                callArgs.add(args);
            } else if (name.equals("getConnection")) {
                return owner;
            } else if (name.equals("equals")) {
                return proxy == args[0];
            } else if (name.equals("hashCode")) {
                return System.identityHashCode(proxy);
            } else if (replayed.contains(name) && (args == null || args.length == 0)) {
                return execute(method);
            }
            return call(current, method, args);
        }

        private Object execute(Method method) throws Throwable {
            for (int attempt = 0; ; attempt++) {
                try {
                    return method.invoke(current, (Object[]) null);
                } catch (InvocationTargetException e) {
                    if (!(e.getCause() instanceof SQLException failure)) {
                        throw e.getCause();
                    }
                    Connection other = replay.again(failure, delegate, attempt);
                    if (other == null) {
                        throw failure;
                    }
                    extra.add(other);
                    PreparedStatement again = (PreparedStatement) call(other, prepare, prepareArgs);
                    for (int i = 0; i < calls.size(); i++) {
                        call(again, calls.get(i), callArgs.get(i));
                    }
                    try {
                        current.close();
                    } catch (SQLException ignored) {
                        // its connection may be gone; either way it is of no further use
                    }
                    current = again;
                }
            }
        }
    }
}
