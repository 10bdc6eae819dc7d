package dev.foundups.db.internal.sqlite;

import java.time.Duration;
import java.util.Locale;

import org.jooq.ConnectionProvider;
import org.jooq.Delete;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.ExecuteType;
import org.jooq.Insert;
import org.jooq.Merge;
import org.jooq.Query;
import org.jooq.Select;
import org.jooq.Update;

import dev.foundups.db.DatabaseListener;

/**
 * Runs each write statement that is not inside a transaction with the {@link WriteGate} held, on the writer's
 * connection. The gate is taken before any connection is, so a waiting writer holds none. Reads pass straight
 * through to the readers' pool: in WAL mode they never wait for the writer.
 */
final class GatedWrites implements ExecuteListener {

    private static final long serialVersionUID = 1L;
    private static final String HELD = GatedWrites.class.getName() + ".held";

    private final transient WriteGate gate;
    private final transient Runnable openWriter;
    private final transient ConnectionProvider writer;
    private final transient WalCheckpointer checkpointer;
    private final Duration timeout;

    GatedWrites(WriteGate gate, Runnable openWriter, ConnectionProvider writer, WalCheckpointer checkpointer,
                Duration timeout) {
        this.gate = gate;
        this.openWriter = openWriter;
        this.writer = writer;
        this.checkpointer = checkpointer;
        this.timeout = timeout;
    }

    @Override
    public void start(ExecuteContext ctx) {
        // Inside a transaction the transaction already holds the gate (see GatedTransactions).
        if (ctx.configuration().data(GatedTransactions.IN_TRANSACTION) != null || !isWrite(ctx)) {
            return;
        }
        openWriter.run(); // the first time, before the gate: opening parses the schema
        DatabaseListener.of(ctx.configuration()).writeWaited(gate.acquire(timeout));
        ctx.data(HELD, Boolean.TRUE);
        ctx.connectionProvider(writer);
    }

    @Override
    public void end(ExecuteContext ctx) {
        // end() also follows a failed start() or statement: release only what start() took.
        if (ctx.data().remove(HELD) == null) {
            return;
        }
        try {
            if (ctx.exception() == null) {
                checkpointer.afterCommit();
            }
        } finally {
            gate.release();
        }
    }

    /**
     * Whether a statement may write. Typed queries are classified by their type; plain SQL by jOOQ's reading of it,
     * except that a plain-SQL query returning rows counts as a read only when it starts like one, because
     * {@code INSERT ... RETURNING} returns rows too. Anything unknown counts as a write: that costs only a wait.
     */
    static boolean isWrite(ExecuteContext ctx) {
        Query query = ctx.query();
        if (query instanceof Select) {
            return false;
        }
        if (query instanceof Insert || query instanceof Update || query instanceof Delete || query instanceof Merge) {
            return true;
        }
        if (ctx.type() != ExecuteType.READ) {
            return true;
        }
        if (query == null) {
            return false; // reading a JDBC ResultSet that was handed to jOOQ
        }
        String sql = query.getSQL().stripLeading().toLowerCase(Locale.ROOT);
        return !(sql.startsWith("select") || sql.startsWith("values") || sql.startsWith("explain")
                || (sql.startsWith("pragma") && !sql.contains("=")));
    }
}
