package dev.foundups.db.internal.sqlite;

import java.sql.Connection;
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
 * in a group commit ({@link GroupCommit}), any other write alone in the writer's turn ({@link SingleWriter}). The turn
 * is taken before any connection is, so a waiting writer holds none. Reads pass straight through to the readers'
 * pool: in WAL mode they never wait for the writer.
 */
final class GatedWrites implements ExecuteListener {

    private static final long serialVersionUID = 1L;
    private static final String HELD = GatedWrites.class.getName() + ".held";

    private final transient SingleWriter writer;
    private final transient GroupCommit groups;

    GatedWrites(SingleWriter writer, GroupCommit groups) {
        this.writer = writer;
        this.groups = groups;
    }

    @Override
    public void start(ExecuteContext ctx) {
        // Inside a transaction the transaction already holds the gate (see GatedTransactions).
        if (ctx.configuration().data(GatedTransactions.IN_TRANSACTION) != null || !isWrite(ctx)) {
            return;
        }
        if (joinsGroups(ctx.query())) {
            GroupMember member = groups.enterTurn();
            ctx.data(HELD, member);
            ctx.connectionProvider(new Lent(member.connection()));
            return;
        }
        DatabaseListener.of(ctx.configuration()).writeWaited(writer.take());
        ctx.data(HELD, Boolean.TRUE);
        ctx.connectionProvider(writer.provider());
    }

    @Override
    public void end(ExecuteContext ctx) {
        // end() also follows a failed start() or statement: release only what start() took.
        Object held = ctx.data().remove(HELD);
        if (held == null) {
            return;
        }
        if (held instanceof GroupMember member) {
            // Returns once the statement's group committed; throws when that commit failed.
            groups.leaveTurn(member, ctx.exception() == null);
            return;
        }
        writer.give(ctx.exception() == null);
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
