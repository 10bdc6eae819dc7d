package dev.foundups.db.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.internal.config.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The databases every dialect-dependent test runs on. Each {@link #newDatabaseUrl} is a fresh, empty database:
 * a file in the test's temporary folder, or a new database on the PostgreSQL server.
 *
 * <p>PostgreSQL is an embedded server started once per test JVM, or the server {@code TEST_DATABASE_URL} names
 * (any form FoundUps DB accepts, with rights to create databases).
 */
public enum Backend {
    SQLITE {
        @Override
        public String newDatabaseUrl(Path dir) {
            return "jdbc:sqlite:" + dir.resolve("foundups.db");
        }
    },
    POSTGRESQL {
        @Override
        public String newDatabaseUrl(Path dir) {
            return Postgres.SERVER.createDatabase();
        }
    };

    /**
     * @param dir the test's temporary folder
     * @return the URL of a new, empty database
     */
    public abstract String newDatabaseUrl(Path dir);

    /**
     * @param dir the test's temporary folder
     * @return a FoundUps DB opened on a new, empty database
     */
    public FoundupsDb open(Path dir) {
        return FoundupsDb.configure().databaseUrl(newDatabaseUrl(dir)).open();
    }

    /** A PostgreSQL server that tests create databases on: this JVM's default one, or one of {@link ShardServers}. */
    static final class Postgres {
        static final Postgres SERVER = new Postgres();

        private final String adminJdbcUrl;
        private final Properties credentials = new Properties();
        private final String user;
        private final String password;
        private final AtomicInteger counter = new AtomicInteger();
        private final List<String> created = new CopyOnWriteArrayList<>();

        private Postgres() {
            String external = System.getenv("TEST_DATABASE_URL");
            if (external != null && !external.isBlank()) {
                DatabaseUrl url = DatabaseUrl.parse(external, "TEST_DATABASE_URL");
                adminJdbcUrl = url.jdbcUrl();
                user = url.user().orElse(null);
                password = url.password().orElse(null);
                // Someone else's server: leave it as we found it.
                Runtime.getRuntime().addShutdownHook(new Thread(this::dropCreatedDatabases));
            } else {
                adminJdbcUrl = start(EmbeddedPostgres.builder()).getJdbcUrl("postgres", "postgres");
                user = "postgres";
                password = "postgres";
            }
            credentials();
        }

        /** A server of the tests' own, started with the builder's settings. */
        Postgres(EmbeddedPostgres.Builder builder) {
            EmbeddedPostgres pg = start(builder);
            adminJdbcUrl = pg.getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "postgres";
            credentials();
        }

        /** Starts an embedded server that stops with the JVM. */
        static EmbeddedPostgres start(EmbeddedPostgres.Builder builder) {
            try {
                EmbeddedPostgres pg = builder.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (Exception ignored) {
                        // the JVM is going away anyway
                    }
                }));
                return pg;
            } catch (Exception e) {
                throw new IllegalStateException("cannot start embedded PostgreSQL", e);
            }
        }

        private void credentials() {
            if (user != null) {
                credentials.setProperty("user", user);
            }
            if (password != null) {
                credentials.setProperty("password", password);
            }
        }

        private void dropCreatedDatabases() {
            try (Connection c = DriverManager.getConnection(adminJdbcUrl, credentials);
                 Statement st = c.createStatement()) {
                for (String name : created) {
                    st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                }
            } catch (SQLException e) {
                System.err.println("could not drop test databases " + created + ": " + e.getMessage());
            }
        }

        String createDatabase() {
            String name = "fdb_test_" + ProcessHandle.current().pid() + "_" + counter.incrementAndGet();
            try (Connection c = DriverManager.getConnection(adminJdbcUrl, credentials);
                 Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + name);
                created.add(name);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create test database " + name, e);
            }
            String base = adminJdbcUrl.replaceFirst("^(jdbc:postgresql://[^/]*/)[^?]*", "$1" + name);
            String separator = base.contains("?") ? "&" : "?";
            StringBuilder url = new StringBuilder(base);
            if (user != null && !base.contains("user=")) {
                url.append(separator).append("user=").append(user);
                separator = "&";
            }
            if (password != null && !base.contains("password=")) {
                url.append(separator).append("password=").append(password);
            }
            return url.toString();
        }
    }
}
