package dev.foundups.db.internal.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The group a {@link GroupCommit} leader runs on the writer's connection: its members in order and, when it has
 * company, the one transaction they share: {@code BEGIN IMMEDIATE}, a savepoint per member, one {@code COMMIT}.
 *
 * <p>A member whose statement fails is rolled back to its savepoint and fails alone. When SQLite has rolled back the
 * whole transaction after a failure (as it does for some errors, such as a full disk), the members kept so far lost
 * their writes: they fail, and the rest go on in a new transaction. A group without company runs in autocommit, as a
 * lone write would: no transaction, no savepoint.
 */
final class WriteGroup {

    final List<GroupMember> members;
    final Connection connection;
    final boolean transaction;
    /** The members whose writes the commit holds, in order. */
    final List<GroupMember> toCommit = new ArrayList<>();
    /** Why the transaction cannot run (it did not begin, or not again): every member still to run fails with it. */
    SQLException broken;
    private final Statements sql;

    /**
     * A group on its connection, its transaction begun when it has one.
     *
     * @param transaction whether the members share one transaction
     * @param sql         the transaction's statements, shared by the groups of one writer
     */
    WriteGroup(List<GroupMember> members, Connection connection, boolean transaction, Statements sql) {
        this.members = members;
        this.connection = connection;
        this.transaction = transaction;
        this.sql = sql;
        if (transaction) {
            try {
                sql.prepare(connection);
                sql.begin.execute();
            } catch (SQLException e) {
                broken = e;
            }
        }
    }

    /** Opens the savepoint of the member about to run; nothing in autocommit. */
    void savepoint() throws SQLException {
        if (transaction) {
            sql.savepoint.execute();
        }
    }

    /** Keeps a member's work (releases its savepoint) or undoes it (rolls back to it). */
    void endSavepoint(GroupMember m, boolean ok) {
        if (!transaction) {
            if (ok) {
                toCommit.add(m);
            }
            return;
        }
        try {
            if (ok) {
                sql.release.execute();
                toCommit.add(m);
            } else {
                sql.rollbackTo.execute();
                sql.release.execute();
            }
        } catch (SQLException e) {
            // SQLite rolled the whole transaction back: what it held is lost, and the rest need a new one.
            failKept(e);
            toCommit.clear();
            if (ok) {
                m.error = e;
            }
            sql.rollbackQuietly();
            try {
                sql.begin.execute();
            } catch (SQLException again) {
                broken = again;
            }
        }
    }

    /** Commits the transaction, if there is one and it runs; when the commit fails, every kept member fails. */
    void commit() {
        if (!transaction || broken != null) {
            return;
        }
        try {
            sql.commit.execute();
        } catch (SQLException e) {
            failKept(e);
            sql.rollbackQuietly();
        }
    }

    private void failKept(SQLException e) {
        for (GroupMember kept : toCommit) {
            kept.error = e;
        }
    }

    /**
     * A group transaction's statements, prepared once on the writer's physical connection and used by every group
     * after: the writer keeps that one connection. Guarded by the gate.
     */
    static final class Statements {
        private Connection preparedOn;
        private PreparedStatement begin;
        private PreparedStatement commit;
        private PreparedStatement rollback;
        private PreparedStatement savepoint;
        private PreparedStatement release;
        private PreparedStatement rollbackTo;

        private void prepare(Connection connection) throws SQLException {
            Connection physical = connection.unwrap(Connection.class);
            if (physical == preparedOn) {
                return;
            }
            begin = physical.prepareStatement("BEGIN IMMEDIATE");
            commit = physical.prepareStatement("COMMIT");
            rollback = physical.prepareStatement("ROLLBACK");
            savepoint = physical.prepareStatement("SAVEPOINT foundups_member");
            release = physical.prepareStatement("RELEASE foundups_member");
            rollbackTo = physical.prepareStatement("ROLLBACK TO foundups_member");
            preparedOn = physical;
        }

        private void rollbackQuietly() {
            try {
                rollback.execute();
            } catch (SQLException ignored) {
                // SQLite rolled back already, or nothing is left to roll back
            }
        }
    }
}
