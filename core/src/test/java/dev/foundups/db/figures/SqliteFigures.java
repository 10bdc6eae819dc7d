package dev.foundups.db.figures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.foundups.db.BackupResult;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.modules.chatrules.ChatRules;

/**
 * The figures of the SQLite production work, printed one per line (not a test; run by hand):
 *
 * <pre>
 * java -cp CLASSPATH dev.foundups.db.figures.SqliteFigures writes FOLDER [OPS]
 *     record_timeout (the workload's op: one insert, its own transaction), single thread, through ChatRules and
 *     through raw JDBC with the same SQL and PRAGMAs on the same file (one prepared statement reused, and one
 *     prepared per call as jOOQ does), in alternating rounds; then the total rate through ChatRules with 1, 2 and
 *     4 writer threads, each on a fresh file.
 * java -cp CLASSPATH dev.foundups.db.figures.SqliteFigures backup DATABASE TARGET
 *     FoundupsDb.backup of an existing database, timed.
 * </pre>
 */
public final class SqliteFigures {

    private static final String INSERT = "insert into modules_chat_rules_timeouts (mod_id, target, duration) "
            + "values (?, ?, ?) returning id";
    private static final int ROUNDS = 5;

    private SqliteFigures() {
    }

    /**
     * @param args see the class comment
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        if (args[0].equals("writes")) {
            writes(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 20_000);
        } else if (args[0].equals("backup")) {
            try (FoundupsDb db = FoundupsDb.configure().databaseUrl("jdbc:sqlite:" + args[1]).open()) {
                BackupResult result = db.backup(Path.of(args[2]));
                System.out.printf("op=backup bytes=%d seconds=%.2f%n", result.bytes(),
                        result.duration().toNanos() / 1e9);
            }
        } else {
            throw new IllegalArgumentException("first argument: writes or backup, was " + Arrays.toString(args));
        }
    }

    private static void writes(Path folder, int ops) throws Exception {
        Files.createDirectories(folder);
        Path file = fresh(folder.resolve("single.db"));
        String url = "jdbc:sqlite:" + file;
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            ChatRules chat = ChatRules.of(db);
            try (Connection raw = DriverManager.getConnection(url, samePragmas());
                 PreparedStatement insert = raw.prepareStatement(INSERT)) {
                int perRound = ops / ROUNDS;
                // Warm both paths up, then alternate rounds so that the machine's noise falls on both alike.
                runChatRules(chat, "warm", 2_000);
                runRaw(insert, "warm", 2_000);
                long chatNanos = 0;
                long rawNanos = 0;
                long preparingNanos = 0;
                for (int round = 0; round < ROUNDS; round++) {
                    chatNanos += runChatRules(chat, "r" + round, perRound);
                    rawNanos += runRaw(insert, "r" + round, perRound);
                    preparingNanos += runRawPreparing(raw, "p" + round, perRound);
                }
                int total = perRound * ROUNDS;
                double chatRate = total / (chatNanos / 1e9);
                double rawRate = total / (rawNanos / 1e9);
                System.out.printf("op=record_timeout system=chatrules threads=1 n=%d seconds=%.2f ops_per_s=%.0f%n",
                        total, chatNanos / 1e9, chatRate);
                System.out.printf("op=record_timeout system=raw_jdbc threads=1 n=%d seconds=%.2f ops_per_s=%.0f%n",
                        total, rawNanos / 1e9, rawRate);
                System.out.printf("op=record_timeout system=raw_jdbc_prepare_per_call threads=1 n=%d seconds=%.2f "
                        + "ops_per_s=%.0f%n", total, preparingNanos / 1e9, total / (preparingNanos / 1e9));
                System.out.printf("ratio chatrules/raw_jdbc=%.2f%n", chatRate / rawRate);
            }
        }
        for (int threads : new int[] {1, 2, 4}) {
            Path f = fresh(folder.resolve("threads" + threads + ".db"));
            try (FoundupsDb db = FoundupsDb.configure().databaseUrl("jdbc:sqlite:" + f).open()) {
                ChatRules chat = ChatRules.of(db);
                runChatRules(chat, "warm", 2_000);
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                List<Callable<Long>> work = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String mod = "w" + t;
                    work.add(() -> runChatRules(chat, mod, ops / threads));
                }
                long start = System.nanoTime();
                for (Future<Long> done : pool.invokeAll(work)) {
                    done.get();
                }
                long nanos = System.nanoTime() - start;
                pool.shutdown();
                int total = ops / threads * threads;
                System.out.printf("op=record_timeout system=chatrules threads=%d n=%d seconds=%.2f ops_per_s=%.0f%n",
                        threads, total, nanos / 1e9, total / (nanos / 1e9));
            }
        }
    }

    private static long runChatRules(ChatRules chat, String mod, int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            chat.recordTimeout(mod, "user" + i, 60);
        }
        return System.nanoTime() - start;
    }

    private static long runRaw(PreparedStatement insert, String mod, int n) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            insert.setString(1, mod);
            insert.setString(2, "user" + i);
            insert.setInt(3, 60);
            stepToTheEnd(insert);
        }
        return System.nanoTime() - start;
    }

    private static long runRawPreparing(Connection raw, String mod, int n) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try (PreparedStatement insert = raw.prepareStatement(INSERT)) {
                insert.setString(1, mod);
                insert.setString(2, "user" + i);
                insert.setInt(3, 60);
                stepToTheEnd(insert);
            }
        }
        return System.nanoTime() - start;
    }

    /**
     * Reads the returned id and steps past it, as the library does: a SQLite statement that is reset before it steps
     * to its end commits but never runs the WAL hook, so the connection never checkpoints and the comparison would
     * time less work (see docs/BENCHMARKS.md, "A pitfall found on the way").
     */
    private static void stepToTheEnd(PreparedStatement insert) throws Exception {
        try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            rs.getLong(1);
            if (rs.next()) {
                throw new IllegalStateException("RETURNING gave more than one row");
            }
        }
    }

    /** What FoundupsDb sets on each pooled connection (see DataSources). */
    private static Properties samePragmas() {
        Properties p = new Properties();
        p.setProperty("journal_mode", "WAL");
        p.setProperty("synchronous", "NORMAL");
        p.setProperty("foreign_keys", "true");
        p.setProperty("busy_timeout", "10000");
        p.setProperty("transaction_mode", "IMMEDIATE");
        p.setProperty("journal_size_limit", String.valueOf(64L << 20));
        return p;
    }

    private static Path fresh(Path file) throws Exception {
        for (String suffix : new String[] {"", "-wal", "-shm", ".write-lock", ".migrate-lock"}) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
        return file;
    }
}
