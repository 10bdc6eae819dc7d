package dev.foundups.db.internal.moves;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.naming.SqlIdentifier;

/**
 * The logical replication objects of one namespace's move, each created only when missing and dropped only when
 * present, so that a rerun after a crash at any point finds its way: the publication and the slot on the source,
 * the subscription on the target. All three share one name, {@code fdbmove_<table prefix>} (at most 57 bytes).
 *
 * <p>The subscription commits what it applies synchronously ({@code synchronous_commit = on}; PostgreSQL's default
 * for subscriptions is off): it then confirms a position as soon as it has applied it, which is what the freeze
 * waits for, instead of after the target's WAL writer has flushed it.
 *
 * <p>The slot is created by itself before the subscription ({@code create_slot = false}): a subscription that
 * creates its own slot hangs when both databases are on one server, and a slot of our own can be checked for and
 * dropped by name. It is created after the publication, whose absence at the slot's start would stop decoding.
 */
final class Replication {

    private final String name;

    /** @param tablePrefix the namespace's validated table prefix, such as {@code foundups_x_} */
    Replication(String tablePrefix) {
        this.name = SqlIdentifier.require("publication", "fdbmove_" + tablePrefix.substring(0,
                tablePrefix.length() - 1));
    }

    /** @return the publication's, subscription's and slot's name */
    String name() {
        return name;
    }

    // ---- on the source

    /** Publishes exactly the namespace's tables (PostgreSQL 14 has no FOR TABLES IN SCHEMA). */
    void publish(Connection source, NamespaceTables tables) throws SQLException {
        String quoted = SqlIdentifier.quoted("publication", name);
        try (Statement st = source.createStatement()) {
            st.execute((exists(source, "SELECT 1 FROM pg_publication WHERE pubname = ?")
                    ? "ALTER PUBLICATION " + quoted + " SET TABLE " : "CREATE PUBLICATION " + quoted + " FOR TABLE ")
                    + tables.qualifiedList());
        }
    }

    void dropPublication(Connection source) throws SQLException {
        try (Statement st = source.createStatement()) {
            st.execute("DROP PUBLICATION IF EXISTS " + SqlIdentifier.quoted("publication", name));
        }
    }

    /**
     * Creates the slot unless it exists. PostgreSQL makes it wait for the transactions running on the source (of
     * any table) to end, so a transaction left open there holds the move here, at most for the timeout.
     */
    void createSlot(Connection source, Duration timeout) throws SQLException {
        if (!slotExists(source, name)) {
            try (Statement set = source.createStatement(); PreparedStatement st = source.prepareStatement(
                    "SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
                set.execute("SET statement_timeout = " + timeout.toMillis());
                st.setString(1, name);
                st.execute();
            } catch (SQLException e) {
                if ("57014".equals(e.getSQLState())) {
                    throw new FoundupsDbException(ErrorCode.TRANSFER, "the replication slot " + name + " could not "
                            + "be created within " + timeout.toSeconds() + " s: a transaction stays open on the "
                            + "source (see pg_stat_activity); end it and run the move again", e);
                }
                throw e;
            } finally {
                try (Statement reset = source.createStatement()) {
                    reset.execute("RESET statement_timeout");
                }
            }
        }
    }

    /**
     * Drops a slot if it exists, waiting a little for a stream from it to end (a subscription just dropped leaves
     * its sender for a moment).
     *
     * @throws FoundupsDbException TRANSFER when it is still in use after that
     */
    static void dropSlot(Connection source, String slot) throws SQLException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try (PreparedStatement active = source.prepareStatement(
                "SELECT active FROM pg_replication_slots WHERE slot_name = ?");
             PreparedStatement drop = source.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            active.setString(1, slot);
            while (true) {
                try (ResultSet rs = active.executeQuery()) {
                    if (!rs.next()) {
                        return;
                    }
                    if (!rs.getBoolean(1)) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new FoundupsDbException(ErrorCode.TRANSFER, "replication slot " + slot + " is still in "
                            + "use on the source; it was not dropped");
                }
                pause(50);
            }
            drop.setString(1, slot);
            drop.execute();
        }
    }

    static boolean slotExists(Connection source, String slot) throws SQLException {
        return exists(source, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?", slot);
    }

    /**
     * Waits until the subscriber has confirmed, flushed on its side, everything up to a position of the source's
     * WAL.
     *
     * @throws FoundupsDbException TRANSFER when it has not within the timeout
     */
    void awaitConfirmed(Connection source, String lsn, Duration timeout) throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (PreparedStatement st = source.prepareStatement("SELECT confirmed_flush_lsn >= ?::pg_lsn "
                + "FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, lsn);
            st.setString(2, name);
            while (true) {
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        throw new FoundupsDbException(ErrorCode.TRANSFER, "the replication slot " + name
                                + " is gone from the source");
                    }
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new FoundupsDbException(ErrorCode.TRANSFER, "the target did not confirm the source's WAL "
                            + "position " + lsn + " within " + timeout.toMillis() + " ms");
                }
                pause(5);
            }
        }
    }

    /**
     * The source's WAL insert position: past every commit record, an asynchronous commit's (not yet written)
     * included, so past every transaction committed before it was read.
     */
    static String currentLsn(Connection source) throws SQLException {
        try (Statement st = source.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Commits an empty transaction with an id on the source, from a connection of its own: its synchronous commit
     * flushes the WAL up to it (the sender only reads flushed WAL), and the subscriber, which receives its
     * BEGIN/COMMIT, answers with its position at once instead of at its next one-second wake-up.
     */
    static void nudge(Connection other) throws SQLException {
        try (Statement st = other.createStatement()) {
            st.execute("SELECT txid_current()");
        }
    }

    // ---- on the target

    boolean subscribed(Connection target) throws SQLException {
        return exists(target, "SELECT 1 FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid "
                + "WHERE s.subname = ? AND d.datname = current_database()", name);
    }

    /**
     * Subscribes the target to the publication, copying the rows first. The connection string carries the source's
     * password: it goes into the statement and nowhere else (no message, no log).
     */
    void subscribe(Connection target, Conninfo source) throws SQLException {
        if (subscribed(target)) {
            try (Statement st = target.createStatement()) {
                st.execute("ALTER SUBSCRIPTION " + SqlIdentifier.quoted("subscription", name) + " ENABLE");
            }
            return;
        }
        requireStandardStrings(target);
        String quoted = SqlIdentifier.quoted("subscription", name);
        try (Statement st = target.createStatement()) {
            // The statement holds the password: keep it out of the server's log, whatever the server logs (both
            // settings are a superuser's, which PostgreSQL 14 requires of CREATE SUBSCRIPTION anyway).
            st.execute("SET log_statement = 'none'");
            st.execute("SET log_min_error_statement = 'panic'");
            try {
                st.execute("CREATE SUBSCRIPTION " + quoted + " CONNECTION " + source.sqlLiteral() + " PUBLICATION "
                        + quoted + " WITH (copy_data = true, create_slot = false, slot_name = '" + name
                        + "', enabled = true, synchronous_commit = 'on')");
            } catch (SQLException e) {
                // The server's message does not quote the statement; still, mask what looks like a password.
                throw new SQLException("CREATE SUBSCRIPTION " + name + " to " + source + " failed: "
                        + DatabaseUrl.mask(String.valueOf(e.getMessage())), e.getSQLState());
            } finally {
                st.execute("RESET log_statement");
                st.execute("RESET log_min_error_statement");
            }
        }
    }

    /**
     * Waits until every table of the subscription is synchronised and the target has confirmed the source's WAL as
     * it was when the tables were all synchronised.
     */
    void awaitSynchronised(Connection target, Connection source, Connection other, int tableCount,
                           Duration timeout) throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (PreparedStatement st = target.prepareStatement("SELECT count(*) FILTER (WHERE sr.srsubstate = 'r'), "
                + "count(*) FROM pg_subscription_rel sr JOIN pg_subscription s ON s.oid = sr.srsubid "
                + "WHERE s.subname = ?")) {
            st.setString(1, name);
            while (true) {
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == tableCount && rs.getInt(2) == tableCount) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new FoundupsDbException(ErrorCode.TRANSFER, "the initial copy of " + name + " did not "
                            + "finish within " + timeout.toSeconds() + " s; see the target server's log (the move "
                            + "can be resumed by running it again)");
                }
                pause(50);
            }
        }
        String lsn = currentLsn(source);
        nudge(other);
        awaitConfirmed(source, lsn, Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)).plusSeconds(10));
    }

    /**
     * Drops the subscription with its slot. When that fails because the source cannot be reached, the subscription
     * is detached from its slot and dropped alone (PostgreSQL's documented way), and the slot's name is returned: it
     * holds WAL on the source until dropped there.
     *
     * @return the orphaned slot's name, or null when none was left
     */
    String unsubscribe(Connection target) throws SQLException {
        if (!subscribed(target)) {
            return null;
        }
        String quoted = SqlIdentifier.quoted("subscription", name);
        try (Statement st = target.createStatement()) {
            st.execute("DROP SUBSCRIPTION " + quoted);
            return null;
        } catch (SQLException unreachable) {
            try (Statement st = target.createStatement()) {
                st.execute("ALTER SUBSCRIPTION " + quoted + " DISABLE");
                st.execute("ALTER SUBSCRIPTION " + quoted + " SET (slot_name = NONE)");
                st.execute("DROP SUBSCRIPTION " + quoted);
            }
            return name;
        }
    }

    private static void requireStandardStrings(Connection target) throws SQLException {
        try (Statement st = target.createStatement();
             ResultSet rs = st.executeQuery("SHOW standard_conforming_strings")) {
            rs.next();
            if (!"on".equals(rs.getString(1))) {
                throw new FoundupsDbException(ErrorCode.CONFIGURATION, "the target server has "
                        + "standard_conforming_strings off; a move needs it on (the default)");
            }
        }
    }

    private static boolean exists(Connection connection, String sql, String... values) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                st.setString(i + 1, values[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    private boolean exists(Connection connection, String sql) throws SQLException {
        return exists(connection, sql, name);
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FoundupsDbException(ErrorCode.TRANSFER, "interrupted while waiting for replication", e);
        }
    }
}
