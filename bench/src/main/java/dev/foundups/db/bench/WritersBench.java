package dev.foundups.db.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.modules.chatrules.ChatRules;

/**
 * Concurrent writers on one SQLite file: 1, 2, 4 and 8 threads of one process, each committing small transactions
 * (record_timeout: one insert), through the library ({@code ChatRules.recordTimeout}) and through raw JDBC with one
 * connection per thread (the pool's PRAGMAs, busy_timeout, each insert in its own {@code BEGIN IMMEDIATE}
 * transaction). Every measurement is on a fresh file; within a round the two systems alternate at each thread
 * count (who goes first alternates too), so both meet the same machine load.
 *
 * <pre>
 * bench/run --writers DIR [OPS] [ROUNDS]    # OPS per measurement (default 20000), ROUNDS (default 3)
 * </pre>
 *
 * <p>Prints one line per measurement, then the median total rates, each thread count against one thread of the same
 * system, and the library against raw JDBC at the same thread count.
 */
public final class WritersBench {

    private static final String INSERT = "insert into modules_chat_rules_timeouts (mod_id, target, duration) "
            + "values (?, ?, ?) returning id";
    /** {@code -Dwriters.threads=1,4} and {@code -Dwriters.systems=library} narrow a run down, e.g. to profile it. */
    private static final int[] THREADS = Arrays.stream(System.getProperty("writers.threads", "1,2,4,8").split(","))
            .mapToInt(Integer::parseInt).toArray();
    private static final String[] SYSTEMS = System.getProperty("writers.systems", "library,raw_jdbc").split(",");

    /** CPU time of the writer threads of the last measurement, summed: less sensitive to load than the rate. */
    private static volatile long lastCpuNanos;

    private WritersBench() {
    }

    /**
     * @param args {@code DIR [OPS] [ROUNDS]}
     * @throws Exception when a write fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: bench/run --writers DIR [OPS] [ROUNDS]");
            System.exit(2);
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Path dir = Path.of(args[0]).toAbsolutePath();
        int ops = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Files.createDirectories(dir);
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        // One unmeasured round of each system first: the JIT compiles both paths.
        for (String system : SYSTEMS) {
            for (int threads : THREADS) {
                measure(dir, system, threads, Math.max(1_000, ops / 4));
            }
        }
        for (int round = 1; round <= rounds; round++) {
            for (int threads : THREADS) {
                for (int i = 0; i < SYSTEMS.length; i++) {
                    String system = SYSTEMS[(i + round + threads) % SYSTEMS.length];
                    double rate = measure(dir, system, threads, ops);
                    rates.computeIfAbsent(system + "/" + threads, k -> new ArrayList<>()).add(rate);
                    System.out.printf(Locale.ROOT, "round=%d system=%s threads=%d n=%d ops_per_s=%.0f "
                            + "cpu_us_per_op=%.1f%n", round, system, threads, ops / threads * threads, rate,
                            lastCpuNanos / 1e3 / (ops / threads * threads));
                }
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-8s %12s %12s %12s %12s %12s%n", "threads", "library", "raw_jdbc",
                "library/1t", "raw/1t", "library/raw");
        double library1 = Stats.median(rates.get("library/" + THREADS[0]));
        double raw1 = Stats.median(rates.get("raw_jdbc/" + THREADS[0]));
        for (int threads : THREADS) {
            double library = Stats.median(rates.get("library/" + threads));
            double raw = Stats.median(rates.get("raw_jdbc/" + threads));
            System.out.printf(Locale.ROOT, "%-8d %12.0f %12.0f %11.2fx %11.2fx %11.2fx%n", threads, library, raw,
                    library / library1, raw / raw1, library / raw);
        }
        System.out.println("(median total commits/s over " + rounds + " rounds of " + ops + " commits; goal: "
                + "library at 4 and 8 threads >= 1.5x library at 1 thread)");
    }

    private static double measure(Path dir, String system, int threads, int ops) throws Exception {
        Path file = dir.resolve("writers-" + system + "-" + threads + ".db");
        delete(file);
        String url = "jdbc:sqlite:" + file;
        int each = ops / threads;
        try {
            if (system.equals("library")) {
                try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
                    ChatRules chat = ChatRules.of(db);
                    chat.recordTimeout("warm", "first", 1); // opens the writer's connection outside the timing
                    return run(threads, each, t -> () -> {
                        String mod = "w" + t;
                        for (int i = 0; i < each; i++) {
                            chat.recordTimeout(mod, "user" + i, 60);
                        }
                        return null;
                    });
                }
            }
            try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
                ChatRules.of(db); // the schema, made by the library; then the library is closed
            }
            List<Connection> connections = new ArrayList<>();
            try {
                for (int t = 0; t < threads; t++) {
                    connections.add(DriverManager.getConnection(url, rawProperties()));
                }
                return run(threads, each, t -> () -> {
                    Connection c = connections.get(t);
                    String mod = "w" + t;
                    // sqlite-jdbc's setAutoCommit(false) begins at once and again right after each commit, so
                    // it would hold the write lock between transactions: explicit BEGIN IMMEDIATE and COMMIT.
                    try (PreparedStatement begin = c.prepareStatement("begin immediate");
                         PreparedStatement commit = c.prepareStatement("commit");
                         PreparedStatement insert = c.prepareStatement(INSERT)) {
                        for (int i = 0; i < each; i++) {
                            begin.execute();
                            insert.setString(1, mod);
                            insert.setString(2, "user" + i);
                            insert.setInt(3, 60);
                            try (ResultSet rs = insert.executeQuery()) {
                                rs.next();
                                rs.getLong(1);
                                rs.next(); // steps to the end, as the library does (docs/BENCHMARKS.md)
                            }
                            commit.execute();
                        }
                    }
                    return null;
                });
            } finally {
                for (Connection c : connections) {
                    c.close();
                }
            }
        } finally {
            delete(file);
        }
    }

    /** The work of one thread, by its number. */
    @FunctionalInterface
    private interface PerThread {
        Callable<Void> work(int thread);
    }

    /** @return total commits per second, from the moment all threads are released to the last one's end */
    private static double run(int threads, int each, PerThread perThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Void>> done = new ArrayList<>();
            java.util.concurrent.atomic.AtomicLong cpu = new java.util.concurrent.atomic.AtomicLong();
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int t = 0; t < threads; t++) {
                Callable<Void> work = perThread.work(t);
                done.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    long before = mx.getCurrentThreadCpuTime();
                    try {
                        return work.call();
                    } finally {
                        cpu.addAndGet(mx.getCurrentThreadCpuTime() - before);
                    }
                }));
            }
            ready.await();
            long start = System.nanoTime();
            go.countDown();
            for (Future<Void> f : done) {
                f.get();
            }
            long nanos = System.nanoTime() - start;
            lastCpuNanos = cpu.get();
            return (double) each * threads / (nanos / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    /** The pool's settings (see {@link RawJdbc#sqliteProperties()}) and its WAL size limit. */
    private static Properties rawProperties() {
        Properties p = RawJdbc.sqliteProperties();
        p.setProperty("journal_size_limit", String.valueOf(64L << 20));
        p.setProperty("jdbc.get_generated_keys", "false");
        return p;
    }

    private static void delete(Path file) throws Exception {
        for (String suffix : Arrays.asList("", "-wal", "-shm", ".write-lock", ".migrate-lock")) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
    }
}
