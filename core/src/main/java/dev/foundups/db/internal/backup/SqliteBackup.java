package dev.foundups.db.internal.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/**
 * SQLite backup and restore with SQLite's online backup API (the one the {@code sqlite3} shell's {@code .backup}
 * uses), never a file copy: copying a WAL database in use can give a corrupt copy.
 *
 * <p>The backup API restarts from the first page whenever another connection writes between two of its steps, so
 * under steady writes it might never finish. Here the source connection holds one read transaction for the whole
 * copy: every step reads the same snapshot, nothing restarts, the copy is exactly the database as of the moment the
 * backup began, and writers go on meanwhile (in WAL mode a reader does not block them).
 */
public final class SqliteBackup {

    /** 4 MiB of 4 KiB pages per step: as fast as one step, without holding the whole file in the page cache. */
    private static final int PAGES_PER_STEP = 1024;
    private static final int BUSY_SLEEP_MILLIS = 100;

    private SqliteBackup() {
    }

    /**
     * Copies the database into {@code file.partial()} and publishes it.
     *
     * @param pool     the database's pool
     * @param database the live file, to refuse backing it up onto itself
     * @param file     the backup file
     * @return the published file's size
     */
    public static long backup(HikariDataSource pool, Path database, BackupFile file) throws SQLException, IOException {
        if (file.target().equals(database) || file.target().toString().startsWith(database + "-")) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "backup target " + file.target() + " is the live "
                    + "database or one of its files; choose a path outside " + database + "*");
        }
        Connection connection = pool.getConnection();
        try {
            copySnapshot(connection, file.partial());
        } catch (SQLException | RuntimeException e) {
            // It may still be inside the snapshot's read transaction: never hand it back to the pool like that.
            pool.evictConnection(connection);
            throw e;
        } finally {
            connection.close();
        }
        // The copy carries the WAL flag of its source; a backup is better as one self-contained file that opens
        // read-only without creating -wal and -shm beside it.
        try (Connection copy = new SQLiteConfig().createConnection("jdbc:sqlite:" + file.partial());
             Statement st = copy.createStatement()) {
            st.execute("PRAGMA journal_mode = DELETE");
        }
        return file.publish();
    }

    private static void copySnapshot(Connection connection, Path partial) throws SQLException {
        try (Statement st = connection.createStatement()) {
            // DEFERRED, whatever the pool's transaction_mode says: a read transaction, so writers are not held up.
            st.execute("BEGIN DEFERRED");
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM sqlite_master")) {
                rs.next(); // the first read fixes the snapshot
            }
            int rc = connection.unwrap(SQLiteConnection.class).getDatabase()
                    .backup("main", partial.toString(), null, BUSY_SLEEP_MILLIS, 3, PAGES_PER_STEP);
            if (rc != 0) {
                throw new SQLException("SQLite backup API failed with result code " + rc);
            }
            st.execute("ROLLBACK");
        }
    }

    /**
     * Replaces a SQLite database with a backup, as one write transaction that takes the file for itself: refused
     * while any connection, of this process or another, has the database open.
     *
     * @param database    the live database file; created when missing
     * @param backup      a file written by {@link #backup}
     * @param busyTimeout how long to wait for other connections to let go before refusing
     */
    public static void restore(Path database, Path backup, Duration busyTimeout) throws SQLException, IOException {
        checkIsBackup(backup);
        Files.createDirectories(database.getParent());
        SQLiteConfig exclusive = new SQLiteConfig();
        // Set before the first read, exclusive locking needs the file to itself; in WAL mode every open connection
        // keeps a shared lock on it, so this fails while anyone has the database open.
        exclusive.setLockingMode(SQLiteConfig.LockingMode.EXCLUSIVE);
        exclusive.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        try (Connection connection = exclusive.createConnection("jdbc:sqlite:" + database)) {
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM sqlite_master")) {
                rs.next();
            } catch (SQLException e) {
                throw new FoundupsDbException(ErrorCode.BACKUP, "cannot restore into " + database + ": it is open "
                        + "(in this process or another) and a restore needs it to itself. Close every FoundupsDb and "
                        + "other program using it, then restore again (" + e.getMessage() + ")", e);
            }
            int rc = connection.unwrap(SQLiteConnection.class).getDatabase()
                    .restore("main", backup.toString(), null, BUSY_SLEEP_MILLIS, 3, PAGES_PER_STEP);
            if (rc != 0) {
                throw new SQLException("SQLite backup API failed with result code " + rc + " restoring " + backup);
            }
        }
    }

    /** Refuses anything but an intact FoundUps DB database file before the live one is touched. */
    private static void checkIsBackup(Path backup) {
        if (!Files.isRegularFile(backup)) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "backup file " + backup + " does not exist or is not a "
                    + "file");
        }
        SQLiteConfig readOnly = new SQLiteConfig();
        readOnly.setReadOnly(true);
        try (Connection connection = readOnly.createConnection("jdbc:sqlite:" + backup);
             Statement st = connection.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
                String result = rs.next() ? rs.getString(1) : "no result";
                if (!"ok".equals(result)) {
                    throw new FoundupsDbException(ErrorCode.BACKUP, "backup file " + backup + " is damaged "
                            + "(quick_check: " + result + "); restore from another backup");
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'foundupsdb_namespaces'")) {
                if (!rs.next() || rs.getInt(1) == 0) {
                    throw new FoundupsDbException(ErrorCode.BACKUP, "backup file " + backup + " is a SQLite "
                            + "database but not a FoundUps DB (it has no foundupsdb_namespaces table)");
                }
            }
        } catch (SQLException e) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "backup file " + backup + " is not a readable SQLite "
                    + "database: " + e.getMessage(), e);
        }
    }
}
