package dev.foundups.db.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.foundups.db.testing.Backend;

/** The example application on the embedded PostgreSQL server (or TEST_DATABASE_URL's), in a new database. */
class PostgresExampleTest extends ExampleApplicationTests {

    private static String url;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry properties) {
        url = Backend.POSTGRESQL.newDatabaseUrl(Path.of("unused"));
        properties.add("foundups.database-url", () -> url);
    }

    @Override
    String dialect() {
        return "postgresql";
    }

    @Override
    void assertNothingLeftOpen() throws Exception {
        // This connection's application name is pgjdbc's default, not the pool's.
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM pg_stat_activity "
                     + "WHERE datname = current_database() AND application_name = 'foundups-db'");
             ResultSet rs = st.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("connections of the stopped application's pool").isZero();
        }
    }
}
