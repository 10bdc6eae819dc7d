package dev.foundups.db.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The example application on a SQLite file. */
class SqliteExampleTest extends ExampleApplicationTests {

    private static Path database;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry properties) throws Exception {
        database = Files.createTempDirectory("foundups-example").resolve("foundups.db");
        properties.add("foundups.database-url", () -> "jdbc:sqlite:" + database);
    }

    @Override
    String dialect() {
        return "sqlite";
    }

    @Override
    void assertNothingLeftOpen() throws Exception {
        assertThat(database).exists();
        assertThat(Path.of(database + "-wal")).as("SQLite removes the WAL when the last connection closes")
                .doesNotExist();
        assertThat(Path.of(database + "-shm")).doesNotExist();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
             Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 0");
            st.execute("PRAGMA locking_mode = EXCLUSIVE");
            st.execute("BEGIN EXCLUSIVE"); // SQLITE_BUSY at once if any other connection still had the file open
            st.execute("COMMIT");
        }
    }
}
