package dev.foundups.db.internal.sqlite;

import org.jooq.TransactionContext;
import org.jooq.TransactionProvider;
import org.jooq.impl.DefaultTransactionProvider;

import dev.foundups.db.DatabaseListener;

/**
 * jOOQ's transactions on SQLite: each top-level transaction holds the writer's turn ({@link SingleWriter}: the
 * {@link WriteGate}) from before it takes the writer's connection until after it commits or rolls back. The pool
 * begins SQLite transactions IMMEDIATE, so a transaction is a writer from its first statement; queued here, it never
 * meets another writer of this JVM, or of another FoundUps DB process, inside SQLite.
 *
 * <p>Statements of the transaction see a marker in its configuration and pass the gate (the transaction holds
 * it), so they work from any thread, and reads on {@code tx.dsl()} see the transaction's own writes. Nested
 * transactions are savepoints inside the one that holds the gate.
 *
 * <p>A provider rather than a listener: jOOQ rolls back after any failure, one in {@code begin} included, and a
 * rollback of a transaction that never began must not reach for a connection (the writer's one may be busy).
 */
final class GatedTransactions implements TransactionProvider {

    /** Configuration data key: present in a gated transaction's configuration and those derived from it. */
    static final String IN_TRANSACTION = GatedTransactions.class.getName() + ".in-transaction";

    private static final String HELD = GatedTransactions.class.getName() + ".held";
    private static final String BEGUN = GatedTransactions.class.getName() + ".begun";

    private final SingleWriter writer;
    private final TransactionProvider delegate;

    GatedTransactions(SingleWriter writer) {
        this.writer = writer;
        this.delegate = new DefaultTransactionProvider(writer.provider());
    }

    @Override
    public void begin(TransactionContext ctx) {
        if (ctx.configuration().data(IN_TRANSACTION) == null) {
            DatabaseListener.of(ctx.configuration()).writeWaited(writer.take());
            ctx.data(HELD, Boolean.TRUE);
            ctx.configuration().data(IN_TRANSACTION, Boolean.TRUE);
        }
        // Marked before, so that a begin failing half-way (connection taken) is still rolled back and released.
        ctx.data(BEGUN, Boolean.TRUE);
        delegate.begin(ctx);
    }

    @Override
    public void commit(TransactionContext ctx) {
        // When the commit fails, jOOQ rolls back next, and that releases the gate.
        delegate.commit(ctx);
        finish(ctx, true);
    }

    @Override
    public void rollback(TransactionContext ctx) {
        try {
            if (ctx.data(BEGUN) != null) {
                delegate.rollback(ctx);
            }
        } finally {
            finish(ctx, false);
        }
    }

    private void finish(TransactionContext ctx, boolean committed) {
        if (ctx.data().remove(HELD) == null) {
            return;
        }
        // A context kept beyond its transaction must not keep passing the gate.
        ctx.configuration().data().remove(IN_TRANSACTION);
        writer.give(committed);
    }
}
