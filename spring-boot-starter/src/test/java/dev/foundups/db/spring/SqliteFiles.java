package dev.foundups.db.spring;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** What a closed SQLite database must look like: nothing left open on it. */
final class SqliteFiles {

    private SqliteFiles() {
    }

    /**
     * Asserts that no connection is left on the file: no {@code -wal} or {@code -shm} (SQLite removes them when the
     * last connection closes), and a new connection gets an exclusive lock at once.
     *
     * @param database the database file
     * @throws SQLException when the exclusive lock cannot be had, naming SQLite's reason
     */
    static void assertClosed(Path database) throws SQLException {
        assertFalse(Files.exists(Path.of(database + "-wal")), "no -wal file after close");
        assertFalse(Files.exists(Path.of(database + "-shm")), "no -shm file after close");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
             Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 0");
            st.execute("PRAGMA locking_mode = EXCLUSIVE");
            st.execute("BEGIN EXCLUSIVE"); // fails with SQLITE_BUSY while any other connection has the file open
            st.execute("COMMIT");
        }
    }
}
