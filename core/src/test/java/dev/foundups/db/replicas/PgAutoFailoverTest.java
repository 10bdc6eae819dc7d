package dev.foundups.db.replicas;

import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.ReplicationStatus;

/**
 * Failover driven by a real failover manager: pg_auto_failover (Debian's {@code postgresql-15-auto-failover}) with a
 * monitor, a primary and a secondary, synchronous replication (its default for two nodes), and the monitor's
 * health checks lowered from their defaults (a failover in seconds, not ~50 s). The primary's node is killed (its
 * keeper and its PostgreSQL) under a continuous writer; the monitor promotes the secondary, writes resume on it
 * through the multi-host URL, and every acknowledged write is there.
 *
 * <p>pg_autoctl refuses to run as root, so as root the test runs it as the {@code postgres} user.
 */
@Timeout(400)
class PgAutoFailoverTest {

    private static final Path PG_BIN = Path.of("/usr/lib/postgresql/15/bin");
    private static final Path PG_AUTOCTL = Path.of("/usr/bin/pg_autoctl");

    private Path dir;
    private final List<Process> started = new ArrayList<>();
    private final List<Path> dataDirs = new ArrayList<>();

    @Test
    void writesFollowThePromotedSecondaryAndNoAcknowledgedWriteIsLost() throws Exception {
        if (!Files.isExecutable(PG_AUTOCTL) || !Files.isExecutable(PG_BIN.resolve("pg_ctl"))
                || !Files.isExecutable(PG_BIN.resolve("pg_basebackup"))) {
            fail("pg_auto_failover is not installed: this test needs /usr/bin/pg_autoctl and PostgreSQL 15's server "
                    + "programs. Install them with: apt-get install postgresql-15-auto-failover");
        }
        dir = Files.createTempDirectory(Path.of("/tmp"), "fdb-pgaf-");
        ownedByPostgres(dir);
        int monitorPort = freePort();
        int port1 = freePort();
        int port2 = freePort();
        String monitorUri = "postgres://autoctl_node@localhost:" + monitorPort + "/pg_auto_failover";

        long setupStart = System.nanoTime();
        Path monitor = dir.resolve("monitor");
        await(autoctl("create", "monitor", "--pgdata", monitor.toString(), "--pgport", String.valueOf(monitorPort),
                "--hostname", "localhost", "--auth", "trust", "--no-ssl"), "pg_autoctl create monitor");
        dataDirs.add(monitor);
        // The monitor's health checks, lowered: it declares a node unhealthy after ~2 s instead of ~20-30 s.
        Files.writeString(monitor.resolve("postgresql.conf"), "\npgautofailover.health_check_period = 1000\n"
                + "pgautofailover.health_check_timeout = 1000\npgautofailover.health_check_max_retries = 1\n"
                + "pgautofailover.health_check_retry_delay = 500\n"
                + "pgautofailover.node_considered_unhealthy_timeout = 2000\n"
                + "pgautofailover.primary_demote_timeout = 2000\n", StandardOpenOption.APPEND);
        started.add(autoctl("run", "--pgdata", monitor.toString()));
        awaitSql(monitorPort, "pg_auto_failover", "SELECT 1", "1", Duration.ofSeconds(60));

        Path node1 = dir.resolve("node1");
        Path node2 = dir.resolve("node2");
        Process keeper1 = autoctl("create", "postgres", "--pgdata", node1.toString(), "--pgport",
                String.valueOf(port1), "--hostname", "localhost", "--auth", "trust", "--no-ssl", "--monitor",
                monitorUri, "--dbname", "appdb", "--run");
        started.add(keeper1);
        dataDirs.add(node1);
        awaitSql(monitorPort, "pg_auto_failover", "SELECT reportedstate FROM pgautofailover.node WHERE nodeport = "
                + port1, "single", Duration.ofSeconds(120));
        // pg_basebackup of the secondary waits for a spread checkpoint: make it immediate on this busy machine.
        for (String setting : List.of("ALTER SYSTEM SET checkpoint_completion_target = 0",
                "ALTER SYSTEM SET fsync = off", "SELECT pg_reload_conf()")) {
            sql(port1, "appdb", setting);
        }
        started.add(autoctl("create", "postgres", "--pgdata", node2.toString(), "--pgport", String.valueOf(port2),
                "--hostname", "localhost", "--auth", "trust", "--no-ssl", "--monitor", monitorUri, "--dbname",
                "appdb", "--run"));
        dataDirs.add(node2);
        awaitSql(monitorPort, "pg_auto_failover", "SELECT string_agg(reportedstate::text, ',' ORDER BY nodeport) "
                + "FROM pgautofailover.node WHERE nodeport IN (" + port1 + ", " + port2 + ")",
                port1 < port2 ? "primary,secondary" : "secondary,primary", Duration.ofSeconds(240));
        String sync = query(port1, "appdb", "SHOW synchronous_standby_names");
        assertTrue(!sync.isBlank(), "pg_auto_failover replicates synchronously: synchronous_standby_names = "
                + sync);
        System.out.printf("pg_auto_failover: monitor + primary + secondary up in %d ms (synchronous_standby_names = "
                + "%s)%n", (System.nanoTime() - setupStart) / 1_000_000, sync);

        String url = "postgresql://postgres@localhost:" + port1 + ",localhost:" + port2 + "/appdb";
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).maximumPoolSize(4).open()) {
            FoundUp fu = db.foundUp("pgaf");
            ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger failed = new AtomicInteger();
            AtomicLong killedAt = new AtomicLong();
            AtomicLong firstAfterKill = new AtomicLong();
            Thread writer = new Thread(() -> {
                int i = 0;
                while (running.get()) {
                    String id = "w" + i++;
                    try {
                        if (i % 2 == 0) {
                            fu.addUser(id, "compiled");
                        } else {
                            fu.dsl().insertInto(FOUNDUP_USERS).set(FOUNDUP_USERS.ID, id)
                                    .set(FOUNDUP_USERS.USERNAME, "typed").execute();
                        }
                        acknowledged.add(id);
                        if (killedAt.get() != 0 && firstAfterKill.get() == 0) {
                            firstAfterKill.set(System.nanoTime());
                        }
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        sleep(20);
                    }
                }
            }, "pgaf-writer");
            writer.start();
            Thread.sleep(1500);
            int beforeKill = acknowledged.size();
            assertTrue(beforeKill > 10, "writes before the kill: " + beforeKill);

            // The primary's machine dies: its keeper and its PostgreSQL, all with SIGKILL (a crash, no checkpoint).
            kill(keeper1);
            asPostgres(PG_BIN.resolve("pg_ctl").toString(), "-D", node1.toString(), "-m", "immediate", "stop")
                    .waitFor(60, TimeUnit.SECONDS); // in case a process escaped the keeper's tree
            killedAt.set(System.nanoTime());
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (firstAfterKill.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(firstAfterKill.get() != 0, "no write succeeded within 120 s of the kill; monitor says: "
                    + query(monitorPort, "pg_auto_failover", "SELECT string_agg(nodeport || ' ' || reportedstate "
                    + "|| '/' || goalstate, '; ') FROM pgautofailover.node"));
            long failoverMillis = (firstAfterKill.get() - killedAt.get()) / 1_000_000;
            Thread.sleep(500);
            running.set(false);
            writer.join(60_000);

            Set<String> present = new HashSet<>();
            try (Connection c = connect(port2, "appdb"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id FROM foundups_pgaf_users")) {
                while (rs.next()) {
                    present.add(rs.getString(1));
                }
            }
            List<String> lost = acknowledged.stream().filter(id -> !present.contains(id)).toList();
            assertEquals(List.of(), lost, "acknowledged writes missing on the promoted secondary");
            assertEquals("f", query(port2, "appdb", "SELECT pg_is_in_recovery()"));
            ReplicationStatus status = db.replication().orElseThrow();
            long reported = status.lastFailover().map(f -> f.downtime().toMillis()).orElse(-1L);
            System.out.printf("pg_auto_failover failover: %d acknowledged writes (%d before the kill), %d failed in "
                    + "flight; kill to first acknowledged write %d ms; library's report %d ms%n", acknowledged.size(),
                    beforeKill, failed.get(), failoverMillis, reported);
            assertTrue(status.lastFailover().isPresent(), status.toString());
            assertEquals("localhost:" + port2, status.lastFailover().get().toPrimary(), status.toString());
        }
    }

    @AfterEach
    void stopEverything() throws IOException, InterruptedException {
        for (Process p : started) {
            kill(p);
        }
        for (Path data : dataDirs) {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                try {
                    await(asPostgres(PG_BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate",
                            "stop"), "pg_ctl stop");
                } catch (RuntimeException e) {
                    // stopped already
                }
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ---- processes, as the postgres user

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private Process autoctl(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(PG_AUTOCTL.toString());
        command.addAll(List.of(args));
        return asPostgres(command.toArray(new String[0]));
    }

    private Process asPostgres(String... command) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (root()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add("env");
        // pg_autoctl keeps its state under XDG folders: the test's own, not the postgres user's home.
        cmd.add("PATH=" + PG_BIN + ":/usr/bin:/bin");
        cmd.add("HOME=" + dir);
        cmd.add("XDG_CONFIG_HOME=" + dir.resolve("config"));
        cmd.add("XDG_DATA_HOME=" + dir.resolve("data"));
        cmd.add("XDG_RUNTIME_DIR=" + dir.resolve("run"));
        cmd.add("PG_CONFIG=" + PG_BIN.resolve("pg_config"));
        cmd.addAll(List.of(command));
        Path log = dir.resolve("log-" + System.nanoTime() + ".txt");
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    private static void await(Process p, String what) throws IOException, InterruptedException {
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            kill(p);
            throw new IllegalStateException(what + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(what + " failed with exit code " + p.exitValue());
        }
    }

    /** Kills a process this test started and everything below it, by their ids. */
    private static void kill(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        for (ProcessHandle h : tree) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : tree) {
            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> h).join();
        }
    }

    private static void ownedByPostgres(Path path) throws IOException {
        if (!root()) {
            return;
        }
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(path, lookup.lookupPrincipalByName("postgres"));
        GroupPrincipal group = lookup.lookupPrincipalByGroupName("postgres");
        Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(group);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- SQL

    private static Connection connect(int port, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + database
                + "?user=postgres&connectTimeout=5&socketTimeout=30");
    }

    private static void sql(int port, String database, String statement) throws SQLException {
        try (Connection c = connect(port, database); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static String query(int port, String database, String query) throws SQLException {
        try (Connection c = connect(port, database); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            return rs.next() ? String.valueOf(rs.getString(1)) : null;
        }
    }

    private static void awaitSql(int port, String database, String query, String expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = query(port, database, query);
                if (expected.equals(last)) {
                    return;
                }
            } catch (SQLException e) {
                last = e.getMessage();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("timed out waiting for '" + expected + "' from " + query + "; last: " + last);
    }
}
