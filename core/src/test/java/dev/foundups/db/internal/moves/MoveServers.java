package dev.foundups.db.internal.moves;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.testing.ReplicationCluster;

/**
 * Three PostgreSQL servers on localhost for the move tests, each a {@link ReplicationCluster} without standbys:
 * {@code main} (also the directory) and {@code s2} with {@code wal_level = logical} (and room for many slots,
 * senders and subscription workers), {@code s3} with the default {@code replica} (a source that only an offline
 * move can leave). Each holds one database, opened once as a
 * FoundUps DB so the shared changelog is applied there, as {@code shard add} does.
 *
 * <p>The URLs carry a password with a quote, a backslash and a space: the servers trust local connections and
 * ignore it, but the subscription's connection string must still parse.
 */
final class MoveServers implements AutoCloseable {

    static final String PASSWORD = "p'w\\ x";

    private final List<ReplicationCluster> clusters = new ArrayList<>();
    private final Map<String, ReplicationCluster.Server> servers = new LinkedHashMap<>();
    private final Map<String, String> urls = new LinkedHashMap<>();
    private final Map<String, FoundupsDb> databases = new LinkedHashMap<>();

    private static MoveServers shared;

    /**
     * @return the servers every move test of this JVM shares (each test uses names of its own), started on first
     *         use and stopped when the JVM exits
     */
    static synchronized MoveServers shared() throws Exception {
        if (shared == null) {
            Path dir = Files.createTempDirectory("fdb-moves");
            shared = start(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                shared.close();
                deleteQuietly(dir);
            }));
        }
        return shared;
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException e) {
            // a temporary folder: the OS cleans it eventually
        }
    }

    static MoveServers start(Path dir) throws Exception {
        MoveServers s = new MoveServers();
        try {
            s.add(dir, "main", true);
            s.add(dir, "s2", true);
            s.add(dir, "s3", false);
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void add(Path dir, String name, boolean logical) throws Exception {
        ReplicationCluster cluster = ReplicationCluster.start(Files.createDirectories(dir.resolve(name)), List.of(),
                false);
        clusters.add(cluster);
        ReplicationCluster.Server server = cluster.primary();
        if (logical) {
            // Room for the kill tests, which leave a few dozen moves parked at once: their slots, senders,
            // subscription workers and connections. The launcher starts subscription workers at most once per
            // wal_retrieve_retry_interval (5 s by default), which tests that move one namespace after the other
            // would otherwise wait for each time.
            for (String setting : List.of("wal_level = logical", "max_replication_slots = 64",
                    "max_wal_senders = 64", "max_logical_replication_workers = 32", "max_worker_processes = 48",
                    "max_connections = 300", "wal_retrieve_retry_interval = '100ms'")) {
                cluster.sql(server, "ALTER SYSTEM SET " + setting);
            }
            cluster.stop(server, "fast");
            cluster.start(server);
        }
        cluster.createDatabase("fdb_" + name);
        servers.put(name, server);
        String url = "postgresql://postgres:" + java.net.URLEncoder.encode(PASSWORD,
                java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20") + "@localhost:" + server.port()
                + "/fdb_" + name;
        urls.put(name, url);
        databases.put(name, FoundupsDb.configure().databaseUrl(url).maximumPoolSize(4).open());
    }

    /** @return shard name to URL (password included) */
    Map<String, String> urls() {
        return urls;
    }

    /** @return the FoundUps DB opened on a shard */
    FoundupsDb db(String shard) {
        return databases.get(shard);
    }

    /** @return a plain connection to a shard's database */
    Connection connect(String shard) throws SQLException {
        return ReplicationCluster.connect(servers.get(shard), "fdb_" + shard);
    }

    /** @return the first column of the first row of a query on a shard, or null */
    String query(String shard, String sql) throws SQLException {
        try (Connection c = connect(shard); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Runs a statement on a shard. */
    void execute(String shard, String sql) throws SQLException {
        try (Connection c = connect(shard); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** Stops a shard's server (a clean, fast shutdown). */
    void stop(String shard) {
        clusterOf(shard).stop(servers.get(shard), "fast");
    }

    /** Starts a stopped shard's server again. */
    void start(String shard) {
        clusterOf(shard).start(servers.get(shard));
    }

    private ReplicationCluster clusterOf(String shard) {
        return clusters.get(new ArrayList<>(servers.keySet()).indexOf(shard));
    }

    @Override
    public void close() {
        databases.values().forEach(FoundupsDb::close);
        clusters.forEach(ReplicationCluster::close);
    }
}
