package dev.foundups.db.internal.sqlite;

import java.sql.Connection;
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
import org.jooq.impl.QOM;

import dev.foundups.db.DatabaseListener;

/**
 * Runs each write statement that is not inside a transaction on the writer's connection: an insert, update or delete
 * in a group commit ({@link GroupCommit}), any other write alone with the {@link WriteGate} held. The gate is taken
 * before any connection is, so a waiting writer holds none. Reads pass straight
 * through to the readers' pool: in WAL mode they never wait for the writer.
 */
final class GatedWrites implements ExecuteListener {

    private static final long serialVersionUID = 1L;
    private static final String HELD = GatedWrites.class.getName() + ".held";

    private final transient WriteGate gate;
    private final transient Runnable openWriter;
    private final transient ConnectionProvider writer;
    private final transient WalCheckpointer checkpointer;
    private final transient GroupCommit groups;
    private final Duration timeout;

    GatedWrites(WriteGate gate, Runnable openWriter, ConnectionProvider writer, WalCheckpointer checkpointer,
                GroupCommit groups, Duration timeout) {
        this.gate = gate;
        this.openWriter = openWriter;
        this.writer = writer;
        this.checkpointer = checkpointer;
        this.groups = groups;
        this.timeout = timeout;
    }

    @Override
    public void start(ExecuteContext ctx) {
        // Inside a transaction the transaction already holds the gate (see GatedTransactions).
        if (ctx.configuration().data(GatedTransactions.IN_TRANSACTION) != null || !isWrite(ctx)) {
            return;
        }
        if (joinsGroups(ctx.query())) {
            GroupCommit.Member member = groups.enterTurn();
            ctx.data(HELD, member);
            ctx.connectionProvider(new Lent(member.connection()));
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
        Object held = ctx.data().remove(HELD);
        if (held == null) {
            return;
        }
        if (held instanceof GroupCommit.Member member) {
            // Returns once the statement's group committed; throws when that commit failed.
            groups.leaveTurn(member, ctx.exception() == null);
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
     * Whether a write joins a group commit: inserts, updates and deletes do, one statement each; DDL, PRAGMAs, plain
     * SQL and batches write alone, between groups, as transactions do.
     */
    static boolean joinsGroups(Query query) {
        // With RETURNING, jOOQ's insert, update and delete are result queries of their own types.
        return query instanceof Insert || query instanceof Update || query instanceof Delete || query instanceof Merge
                || query instanceof QOM.InsertReturning || query instanceof QOM.UpdateReturning
                || query instanceof QOM.DeleteReturning;
    }

    /** The writer's connection as a group's leader lends it for one statement; the group gives it back. */
    private record Lent(Connection connection) implements ConnectionProvider {
        @Override
        public Connection acquire() {
            return connection;
        }

        @Override
        public void release(Connection released) {
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
