package dev.foundups.db.internal.moves;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.naming.SqlIdentifier;

/**
 * The freeze and the fence on the source, in one transaction: {@code LOCK TABLE ... IN ACCESS EXCLUSIVE MODE} on
 * the namespace's tables (writers queue behind it; they block, they do not fail), the work that needs the tables
 * still (wait for the subscriber, or copy), the sequences set on the target, then {@code ALTER TABLE ... SET SCHEMA
 * foundupsdb_moved}: once this commits, every writer queued on the lock, and every later one, gets SQLState 42P01
 * (undefined table) and nothing can be written to the old place. Killed before the commit, the transaction rolls
 * back and the source stays as it was.
 */
final class Fence {

    /** SQLState of a LOCK that gave up after {@code lock_timeout}. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    /** What runs while the tables are locked, before they are fenced. */
    interface UnderLock {
        /**
         * @param source the source connection, inside the locking transaction
         * @return rows the work counted or copied, or -1 when it counted none
         */
        long run(Connection source) throws SQLException;
    }

    /** How a freeze went: how long writers waited, and what the work counted. */
    record Frozen(Duration freeze, long rows) {
    }

    private final Duration lockTimeout;
    private final int lockAttempts;

    /**
     * @param lockTimeout  how long one attempt waits for the lock; while it waits, new writers queue behind it, so
     *                     it is short and retried
     * @param lockAttempts how many attempts before giving up
     */
    Fence(Duration lockTimeout, int lockAttempts) {
        this.lockTimeout = lockTimeout;
        this.lockAttempts = lockAttempts;
    }

    /**
     * Locks, runs the work, copies the sequences to the target, fences, and commits (after the hook, which tests
     * use to stop here).
     */
    Frozen freeze(Connection source, Connection target, NamespaceTables tables, UnderLock work, Runnable beforeCommit)
            throws SQLException {
        try (Statement st = source.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + SqlIdentifier.quoted("schema", NamespaceTables.FENCE_SCHEMA));
        } catch (SQLException e) {
            if (!"42P06".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
                throw e; // another move created it at the same moment: fine
            }
        }
        // Which columns have sequences does not change under the lock: look before taking it.
        List<NamespaceTables.SequenceColumn> sequences = tables.sequenceColumns(source, tables.schema());
        source.setAutoCommit(false);
        try {
            long started = lock(source, tables.lockList(), "ACCESS EXCLUSIVE");
            long rows = work.run(source);
            copySequences(source, target, tables.schema(), sequences);
            try (Statement st = source.createStatement()) {
                for (String table : tables.tables()) {
                    st.execute("ALTER TABLE " + SqlIdentifier.qualified(tables.schema(), table) + " SET SCHEMA "
                            + SqlIdentifier.quoted("schema", NamespaceTables.FENCE_SCHEMA));
                }
            }
            beforeCommit.run();
            source.commit();
            return new Frozen(Duration.ofNanos(System.nanoTime() - started), rows);
        } catch (SQLException | RuntimeException e) {
            rollback(source, e);
            throw e;
        } finally {
            source.setAutoCommit(true);
        }
    }

    /**
     * Puts fenced tables back in place: the rollback of a move that was fenced but never flipped.
     */
    void unfence(Connection source, NamespaceTables tables) throws SQLException {
        Transaction.run(source, () -> {
            try (Statement st = source.createStatement()) {
                st.execute("LOCK TABLE " + tables.fencedList() + " IN ACCESS EXCLUSIVE MODE"); // nothing else uses them
                for (String table : tables.tables()) {
                    st.execute("ALTER TABLE " + SqlIdentifier.qualified(NamespaceTables.FENCE_SCHEMA, table)
                            + " SET SCHEMA " + SqlIdentifier.quoted("schema", tables.schema()));
                }
            }
            return null;
        });
    }

    /**
     * Takes a table lock in short attempts inside the connection's transaction, so that writers never queue long
     * behind a lock that waits itself. Each attempt waits less than the server's {@code deadlock_timeout}: when the
     * lock and a writer's transaction wait for each other (it holds one of the tables and wants another), the lock
     * gives up and is retried before the server's deadlock check could abort the writer.
     *
     * @param tables the tables, qualified and quoted, referencing ones first (a writer inserting a row locks the
     *               row's table, then the table its foreign key references)
     * @param mode   the lock mode, such as {@code ACCESS EXCLUSIVE}
     * @return when the successful attempt began
     * @throws FoundupsDbException TRANSFER when every attempt timed out
     */
    long lock(Connection source, String tables, String mode) throws SQLException {
        long timeout = Math.min(lockTimeout.toMillis(), deadlockTimeoutMillis(source) / 2);
        for (int attempt = 1; ; attempt++) {
            long started = System.nanoTime();
            try (Statement st = source.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '" + timeout + "ms'");
                st.execute("LOCK TABLE " + tables + " IN " + mode + " MODE");
                st.execute("SET LOCAL lock_timeout = 0");
                return started;
            } catch (SQLException e) {
                if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || attempt >= lockAttempts) {
                    if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                        throw new FoundupsDbException(ErrorCode.TRANSFER, "cannot lock " + tables + " on the "
                                + "source: transactions hold them; tried " + attempt + " times for " + timeout
                                + " ms each. End the long transaction and run the move again", e);
                    }
                    throw e;
                }
                source.rollback();
                Replication.pause(Math.min(1000, 50L * attempt)); // let the queued writers through
            }
        }
    }

    private static long deadlockTimeoutMillis(Connection source) throws SQLException {
        try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT setting::bigint FROM pg_settings WHERE name = 'deadlock_timeout'")) {
            return rs.next() ? Math.max(rs.getLong(1), 20) : 1000;
        }
    }

    /** Sets each target sequence to the source's value: replication does not carry sequences. */
    private static void copySequences(Connection source, Connection target, String schema,
                                      List<NamespaceTables.SequenceColumn> columns) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (PreparedStatement st = source.prepareStatement(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(?, ?)::regclass)")) {
            for (NamespaceTables.SequenceColumn c : columns) {
                st.setString(1, SqlIdentifier.qualified(schema, c.table()));
                st.setString(2, c.column());
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    long value = rs.getLong(1);
                    values.add(rs.wasNull() ? null : value);
                }
            }
        }
        try (PreparedStatement st = target.prepareStatement(
                "SELECT setval(pg_get_serial_sequence(?, ?)::regclass, ?, true)")) {
            for (int i = 0; i < columns.size(); i++) {
                if (values.get(i) != null) { // never used on the source: the target's is as new
                    st.setString(1, SqlIdentifier.qualified(schema, columns.get(i).table()));
                    st.setString(2, columns.get(i).column());
                    st.setLong(3, values.get(i));
                    st.execute();
                }
            }
        }
    }

    private static void rollback(Connection source, Throwable failure) {
        try {
            source.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }
}
