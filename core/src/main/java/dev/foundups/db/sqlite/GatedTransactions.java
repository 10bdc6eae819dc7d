package dev.foundups.db.sqlite;

import java.time.Duration;

import org.jooq.TransactionContext;
import org.jooq.TransactionListener;

/**
 * Holds the {@link WriteGate} for the whole of each top-level jOOQ transaction, taken before the transaction takes
 * its connection. The pool begins SQLite transactions IMMEDIATE, so a transaction is a writer from its first
 * statement; queuing it here means it never meets another writer of this JVM inside SQLite.
 *
 * <p>Statements of the transaction see a marker in its configuration and pass the gate (the transaction holds
 * it), so they work from any thread, and reads on {@code tx.dsl()} see the transaction's own writes.
 */
final class GatedTransactions implements TransactionListener {

    /** Configuration data key: present in a gated transaction's configuration and those derived from it. */
    static final String IN_TRANSACTION = GatedTransactions.class.getName() + ".in-transaction";

    private static final String HELD = GatedTransactions.class.getName() + ".held";

    private final WriteGate gate;
    private final WalCheckpointer checkpointer;
    private final Duration timeout;

    GatedTransactions(WriteGate gate, WalCheckpointer checkpointer, Duration timeout) {
        this.gate = gate;
        this.checkpointer = checkpointer;
        this.timeout = timeout;
    }

    @Override
    public void beginStart(TransactionContext ctx) {
        if (ctx.configuration().data(IN_TRANSACTION) != null) {
            return; // nested: a savepoint inside a transaction that holds the gate
        }
        gate.acquire(timeout);
        ctx.data(HELD, Boolean.TRUE);
        ctx.configuration().data(IN_TRANSACTION, Boolean.TRUE);
    }

    @Override
    public void commitEnd(TransactionContext ctx) {
        finish(ctx, true);
    }

    @Override
    public void rollbackEnd(TransactionContext ctx) {
        finish(ctx, false);
    }

    /** Called once or twice (jOOQ rolls back after a failed commit): releases on the first call only. */
    private void finish(TransactionContext ctx, boolean committed) {
        if (ctx.data().remove(HELD) == null) {
            return;
        }
        // A context kept beyond its transaction must not keep passing the gate.
        ctx.configuration().data().remove(IN_TRANSACTION);
        try {
            if (committed) {
                checkpointer.afterCommit();
            }
        } finally {
            gate.release();
        }
    }
}
