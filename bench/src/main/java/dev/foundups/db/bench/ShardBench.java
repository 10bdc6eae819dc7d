package dev.foundups.db.bench;

import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.jooq.DSLContext;
import org.jooq.InsertValuesStep2;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.MoveReport;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.ShardInfo;
import dev.foundups.db.jooq.tables.records.FoundupUsersRecord;
import dev.foundups.db.modules.chatrules.ChatRules;
import dev.foundups.db.testing.ShardServers;

/**
 * Sharding's three figures (issue 14), on three embedded PostgreSQL servers of this machine ({@code wal_level =
 * logical}, {@code fsync = off}, as the tests run them):
 *
 * <ol>
 *   <li><b>Routing overhead</b>: typed ops on a namespace placed on shard {@code s1}, through the sharded database
 *       (directory on server 0), against the same ops through a plain {@code FoundupsDb} opened on s1's database
 *       itself. The two take turns of 50 ops, side by side in pairs; each pair gives a ratio, sharded / plain in
 *       ops/s, and the figure is the median of all pairs of all rounds, with its quartiles.</li>
 *   <li><b>Provisioning</b> FOUNDUPS FoundUps with {@code catalog().createFoundUps} on 1 server (unsharded), then
 *       spread over 2 and 3 shards.</li>
 *   <li><b>An online move</b> of a FoundUp holding MOVE_ROWS users while one writer adds users to it through a
 *       handle taken before the move: the move's time, the write pause it reports, the longest gap between two of
 *       the writer's acknowledgements, and the acknowledged rows missing on the target (must be 0).</li>
 * </ol>
 *
 * <pre>
 * bench/run --shards [OPS] [ROUNDS] [FOUNDUPS] [MOVE_ROWS]    # defaults 2000 3 2000 100000
 * </pre>
 *
 * <p>FOUNDUPS or MOVE_ROWS 0 leaves that part out. {@code bench/run --shards-routing [OPS] [ROUNDS]} runs the
 * routing part alone with the JVM and the servers it starts on one CPU ({@code taskset -c 0}): on this virtual
 * machine a round trip whose two ends sit on different CPUs costs up to three times one on the same CPU, and the
 * scheduler keeps a connection's backend where it is for seconds, so two identical pools measured side by side
 * differed by up to 3x for whole rounds. On one CPU the control run ({@code -Dshards.control=true}) gives 1.00x
 * with quartiles within 4%.
 */
public final class ShardBench {

    /** Ops per turn: short, so that each side meets the same moment of the machine, and many pairs. */
    private static final int TURN = 50;
    /**
     * {@code -Dshards.control=true}: a second plain database takes the sharded one's place, so the figure shows
     * what the harness and the machine alone make of two identical sides.
     */
    private static final boolean CONTROL = Boolean.getBoolean("shards.control");

    private ShardBench() {
    }

    /**
     * @param args {@code [OPS] [ROUNDS] [FOUNDUPS] [MOVE_ROWS]}
     * @throws Exception when a step fails
     */
    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int foundUps = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        int moveRows = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
        System.out.printf(Locale.ROOT, "shards: ops=%d rounds=%d foundups=%d move_rows=%d cores=%d load=%s%n", ops,
                rounds, foundUps, moveRows, Runtime.getRuntime().availableProcessors(), Stats.load());
        routingOverhead(ops, rounds);
        if (foundUps > 0) {
            provisioning(foundUps);
        }
        if (moveRows > 0) {
            onlineMove(moveRows);
        }
        System.exit(0); // the embedded servers' shutdown hooks stop them
    }

    // ---- 1. routing overhead

    /** One op, run {@code n} times on a system. */
    @FunctionalInterface
    private interface Op {
        void run(Side side, int i);
    }

    /** What one system's ops go through. */
    private record Side(String label, FoundUp foundUp, ChatRules chat, FoundupsDb db) {
    }

    private static void routingOverhead(int ops, int rounds) throws Exception {
        String main = ShardServers.newDatabaseUrl(0);
        String s1 = ShardServers.newDatabaseUrl(1);
        try (FoundupsDb sharded = FoundupsDb.configure().databaseUrl(main).open()) {
            sharded.shards().add("s1", s1);
            sharded.catalog().create(NamespaceKind.FOUNDUP, "bench_fu", "s1");
            sharded.catalog().create(NamespaceKind.MODULE, "chat_rules", "s1");
            sharded.agents().recordAwakening("bench_agent", "0102");
            if (!"s1".equals(agentShard(main))) {
                sharded.shards().moveAgent("bench_agent", "s1");
            }
            ChatRules shardedChat = ChatRules.of(sharded);
            shardedChat.upsertModerator("mod0", "Mod", 0, null);
            sharded.foundUp("bench_fu").addUser("reader", "Reader");
            try (FoundupsDb plain = FoundupsDb.configure().databaseUrl(s1).open();
                 FoundupsDb control = CONTROL ? FoundupsDb.configure().databaseUrl(s1).open() : null) {
                Side a = CONTROL ? new Side("plain2", control.foundUp("bench_fu"), ChatRules.of(control), control)
                        : new Side("sharded", sharded.foundUp("bench_fu"), shardedChat, sharded);
                Side b = new Side("plain", plain.foundUp("bench_fu"), ChatRules.of(plain), plain);
                if (CONTROL) {
                    System.out.println("control run: a second plain database in place of the sharded one");
                }
                Map<String, Op> table = new LinkedHashMap<>();
                table.put("add_user", (s, i) -> s.foundUp().addUser(s.label() + "_" + i, "User " + i));
                table.put("get_user", (s, i) -> s.foundUp().user("reader").orElseThrow());
                table.put("record_timeout", (s, i) -> s.chat().recordTimeout("mod0", "t" + i, 60));
                table.put("get_moderator", (s, i) -> s.chat().moderator("mod0").orElseThrow());
                table.put("learn_pattern", (s, i) -> s.db().agents().learnPattern("bench_agent", "p",
                        "{\"i\":" + i + "}"));
                AtomicLong counter = new AtomicLong();
                run(table, a, b, ops, counter, new LinkedHashMap<>()); // warm-up, unmeasured
                Map<String, List<Double>> pairs = new LinkedHashMap<>();
                for (int round = 1; round <= rounds; round++) {
                    Map<String, List<Double>> roundPairs = new LinkedHashMap<>();
                    run(table, a, b, ops, counter, roundPairs);
                    int thisRound = round;
                    roundPairs.forEach((op, r) -> {
                        System.out.printf(Locale.ROOT, "round=%d op=%s pairs=%d median_ratio=%.3f%n", thisRound, op,
                                r.size(), Stats.median(r));
                        pairs.computeIfAbsent(op, k -> new ArrayList<>()).addAll(r);
                    });
                }
                System.out.println();
                System.out.printf("%-16s %8s %10s %10s %10s   %s%n", "op", "pairs", "q1", "median", "q3",
                        "sharded/plain in ops/s, per pair of adjacent turns (goal: median >= 0.95)");
                pairs.forEach((op, r) -> System.out.printf(Locale.ROOT, "%-16s %8d %9.3fx %9.3fx %9.3fx%n", op,
                        r.size(), Stats.quantile(r, 0.25), Stats.median(r), Stats.quantile(r, 0.75)));
                System.out.println();
            }
        }
    }

    private static String agentShard(String main) throws Exception {
        try (Connection c = DriverManager.getConnection(main); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT shard FROM foundupsdb_placements WHERE kind = 'AGENT' "
                     + "AND name = 'bench_agent'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void run(Map<String, Op> table, Side sharded, Side plain, int ops, AtomicLong counter,
                            Map<String, List<Double>> pairs) {
        for (Map.Entry<String, Op> e : table.entrySet()) {
            pairs.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                    .addAll(turns(e.getValue(), sharded, plain, ops, counter));
        }
    }

    /**
     * Runs {@code ops} ops on each side in turns of {@link #TURN}, the two sides of a pair next to each other and
     * who goes first alternating (ABBA), so that a pause of the machine, a checkpoint or a collection lands in one
     * pair rather than in one side's total.
     *
     * @return per pair of turns: the sharded side's rate over the plain side's
     */
    private static List<Double> turns(Op op, Side sharded, Side plain, int ops, AtomicLong counter) {
        List<Double> ratios = new ArrayList<>();
        for (int done = 0, pair = 0; done < ops; done += TURN, pair++) {
            int n = Math.min(TURN, ops - done);
            Side first = pair % 2 == 0 ? sharded : plain;
            long firstNanos = turn(op, first, n, counter);
            long secondNanos = turn(op, first == sharded ? plain : sharded, n, counter);
            long shardedNanos = first == sharded ? firstNanos : secondNanos;
            long plainNanos = first == sharded ? secondNanos : firstNanos;
            ratios.add((double) plainNanos / shardedNanos);
        }
        return ratios;
    }

    private static long turn(Op op, Side side, int n, AtomicLong counter) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            op.run(side, (int) counter.incrementAndGet());
        }
        return System.nanoTime() - t0;
    }

    // ---- 2. provisioning

    private static void provisioning(int count) throws Exception {
        double base = 0;
        for (int shards = 1; shards <= 3; shards++) {
            String main = ShardServers.newDatabaseUrl(0);
            try (FoundupsDb db = FoundupsDb.configure().databaseUrl(main).open()) {
                for (int s = 1; s < shards; s++) {
                    db.shards().add("s" + s, ShardServers.newDatabaseUrl(s));
                }
                List<String> ids = IntStream.range(0, count).mapToObj(i -> "fu_" + i).toList();
                long t0 = System.nanoTime();
                db.catalog().createFoundUps(ids);
                double seconds = (System.nanoTime() - t0) / 1e9;
                double rate = count / seconds;
                if (shards == 1) {
                    base = rate;
                }
                String spread = shards == 1 ? "main=" + count : String.join(" ", db.shards().list().stream()
                        .map(s -> s.name() + "=" + s.namespaces()).toList());
                System.out.printf(Locale.ROOT, "provisioning shards=%d foundups=%d seconds=%.1f per_s=%.0f "
                        + "vs_1=%.2fx spread: %s load=%s%n", shards, count, seconds, rate, rate / base, spread,
                        Stats.load());
            }
        }
        System.out.println();
    }

    // ---- 3. online move

    private static void onlineMove(int rows) throws Exception {
        String main = ShardServers.newDatabaseUrl(0);
        String s2Url = ShardServers.newDatabaseUrl(2);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(main).open()) {
            db.shards().add("s1", ShardServers.newDatabaseUrl(1));
            db.shards().add("s2", s2Url);
            db.catalog().create(NamespaceKind.FOUNDUP, "big", "s1");
            FoundUp big = db.foundUp("big");
            DSLContext dsl = big.dsl();
            for (int from = 0; from < rows; from += 5_000) {
                InsertValuesStep2<FoundupUsersRecord, String, String> insert = dsl.insertInto(FOUNDUP_USERS,
                        FOUNDUP_USERS.ID, FOUNDUP_USERS.USERNAME);
                for (int i = from; i < Math.min(rows, from + 5_000); i++) {
                    insert = insert.values("row" + i, "Row " + i);
                }
                insert.execute();
            }

            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicLong lastAck = new AtomicLong(System.nanoTime());
            AtomicLong longestGap = new AtomicLong();
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            List<Throwable> errors = new ArrayList<>();
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        big.addUser("w" + i, "Writer " + i);
                        acknowledged.add("w" + i);
                        long now = System.nanoTime();
                        long gap = now - lastAck.getAndSet(now);
                        if (measuring.get()) {
                            longestGap.accumulateAndGet(gap, Math::max);
                        }
                    } catch (Throwable t) {
                        synchronized (errors) {
                            errors.add(t);
                        }
                        return;
                    }
                }
            }, "writer");
            writer.start();
            Thread.sleep(1_000);
            int before = acknowledged.size();
            measuring.set(true);
            long t0 = System.nanoTime();
            MoveReport report = db.catalog().move(NamespaceKind.FOUNDUP, "big", "s2");
            double seconds = (System.nanoTime() - t0) / 1e9;
            Thread.sleep(1_000);
            measuring.set(false);
            stop.set(true);
            writer.join();
            long onTarget;
            try (Connection c = DriverManager.getConnection(s2Url); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM foundups_big_users WHERE id LIKE 'w%'")) {
                rs.next();
                onTarget = rs.getLong(1);
            }
            long missing = acknowledged.stream().filter(id -> big.user(id).isEmpty()).count();
            System.out.printf(Locale.ROOT, "move rows=%d method=%s seconds=%.2f reported_write_pause_ms=%s "
                            + "longest_writer_gap_ms=%.1f writes_during_move=%d acknowledged=%d on_target=%d "
                            + "missing=%d writer_errors=%d load=%s%n", rows, report.method(), seconds,
                    report.writePause().map(d -> String.valueOf(d.toMillis())).orElse("-"),
                    longestGap.get() / 1e6, acknowledged.size() - before, acknowledged.size(), onTarget, missing,
                    errors.size(), Stats.load());
            for (ShardInfo s : db.shards().list()) {
                System.out.println("  " + s.name() + ": " + s.namespaces() + " namespace(s)");
            }
        }
    }
}
