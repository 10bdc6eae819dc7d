package dev.foundups.db.internal.routing;

import java.sql.SQLException;

import org.jooq.Configuration;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.Query;
import org.jooq.Select;
import org.jooq.TransactionContext;
import org.jooq.TransactionListener;

/**
 * Tells the router what each statement is. jOOQ calls {@link #start} before it acquires the statement's connection,
 * so a typed {@link Select} outside a transaction (its context's configuration still has the routing provider; a
 * transaction's context has a provider of its own) is handed the read provider for that one execution. Every other
 * statement outside a transaction, and every commit, counts as a write that the thread must later read.
 */
final class RoutingListener implements ExecuteListener, TransactionListener {

    private static final long serialVersionUID = 1L;

    private final transient Router router;
    private final transient RoutingConnectionProvider provider;

    RoutingListener(Router router, RoutingConnectionProvider provider) {
        this.router = router;
        this.provider = provider;
    }

    /** @return whether the statement runs outside a transaction, on the database's own provider */
    private boolean outsideTransaction(ExecuteContext ctx) {
        Query query = ctx.query();
        Configuration attached = query == null ? null : query.configuration();
        return attached != null && attached.connectionProvider() == provider;
    }

    @Override
    public void start(ExecuteContext ctx) {
        if (ctx.query() instanceof Select && outsideTransaction(ctx)) {
            ctx.connectionProvider(provider.reads());
        }
    }

    @Override
    public void exception(ExecuteContext ctx) {
        SQLException e = ctx.sqlException();
        if (e != null && !(ctx.query() instanceof Select)) {
            router.writeFailed(e);
        }
    }

    @Override
    public void end(ExecuteContext ctx) {
        Query query = ctx.query();
        if (query instanceof Select) {
            return;
        }
        if (query == null || outsideTransaction(ctx)) {
            // A write outside a transaction (or a batch / routine, whose queries tell nothing): committed now.
            if (ctx.exception() == null) {
                router.committed();
            }
        }
    }

    @Override
    public void commitEnd(TransactionContext ctx) {
        router.committed();
    }
}
