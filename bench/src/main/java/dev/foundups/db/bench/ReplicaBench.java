package dev.foundups.db.bench;

import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NodeStatus;
import dev.foundups.db.ReplicaReads;
import dev.foundups.db.ReplicationStatus;
import dev.foundups.db.testing.ReplicationCluster;
import dev.foundups.db.testing.ReplicationCluster.Server;

/**
 * Read replicas, measured in one run on a local primary and three streaming standbys (two that keep up, one that
 * applies WAL 200 ms late), each figure a ratio of two things measured side by side:
 *
 * <ol>
 *   <li>write overhead: the same writes through a routed database (replicas configured: sequence numbers, the
 *       listener, the poller) and through a plain one-server database, alternating rounds;</li>
 *   <li>read throughput with 0, 1 and 2 standbys, and the share of reads the standbys served;</li>
 *   <li>read-your-writes against the 200 ms-late standby: a read right after a write, its latency next to the same
 *       read on the plain database, and how often it fell back to the primary;</li>
 *   <li>failover: the primary killed (immediate stop), a synchronous standby promoted; time from the kill to the
 *       first acknowledged write on it.</li>
 * </ol>
 *
 * <pre>
 * java -cp ... dev.foundups.db.bench.ReplicaBench [SECONDS_PER_ROUND] [ROUNDS] [READER_THREADS]
 * </pre>
 */
public final class ReplicaBench {

    private ReplicaBench() {
    }

    /**
     * @param args seconds per round (default 2), rounds (default 5), reader threads (default 4)
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int readers = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        long roundNanos = (long) (seconds * 1e9);
        Path dir = Files.createTempDirectory("fdb-replica-bench-");
        System.out.printf(Locale.ROOT, "replica benchmark: %d cores, %.1f s rounds, %d rounds, %d reader threads; "
                + "load average %.1f%n", Runtime.getRuntime().availableProcessors(), seconds, rounds, readers,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        long t0 = System.nanoTime();
        try (ReplicationCluster cluster = ReplicationCluster.start(dir, List.of(Duration.ZERO, Duration.ZERO,
                Duration.ofMillis(200)), false)) {
            System.out.printf(Locale.ROOT, "cluster: primary + 3 standbys up in %.1f s%n",
                    (System.nanoTime() - t0) / 1e9);
            Server primary = cluster.server(0);
            Server s1 = cluster.server(1);
            Server s2 = cluster.server(2);
            Server late = cluster.server(3);
            cluster.createDatabase("bench");
            String url = ReplicationCluster.url(primary, "bench");
            try (FoundupsDb plain = FoundupsDb.configure().databaseUrl(url).maximumPoolSize(8).open();
                 FoundupsDb routed1 = open(url, 8, s1);
                 FoundupsDb routed2 = open(url, 8, s1, s2);
                 FoundupsDb lateOnly = open(url, 8, late);
                 FoundupsDb routedNone = FoundupsDb.configure().databaseUrl(url).maximumPoolSize(8)
                         .readReplicas(ReplicationCluster.url(s1, "bench")).replicaReads(ReplicaReads.NONE).open()) {
                writeOverhead(plain, routed1, roundNanos, rounds);
                // A plain one-server database on the standby itself: what the standby serves without routing.
                try (FoundupsDb onStandby = FoundupsDb.configure().databaseUrl(ReplicationCluster.url(s1, "bench"))
                        .maximumPoolSize(8).schemaChangesOnOpen(false).open()) {
                    readThroughput(new FoundupsDb[] {plain, routed1, routed2, routedNone, onStandby}, roundNanos,
                            rounds, readers);
                }
                readYourWrites(plain, lateOnly, roundNanos, rounds);
            }
            failover(cluster, primary, s1);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static FoundupsDb open(String url, int pool, Server... replicas) {
        return FoundupsDb.configure().databaseUrl(url).maximumPoolSize(pool)
                .readReplicas(Arrays.stream(replicas).map(s -> ReplicationCluster.url(s, "bench")).toList()).open();
    }

    // ---- 1. writes

    private static void writeOverhead(FoundupsDb plain, FoundupsDb routed, long roundNanos, int rounds) {
        FoundUp a = plain.foundUp("w_plain");
        FoundUp b = routed.foundUp("w_routed");
        AtomicLong ids = new AtomicLong();
        // Turns of 100 writes each, alternating, so both meet the same machine load; per round, the rate of each.
        List<Double> ratios = new ArrayList<>();
        List<Double> plainRates = new ArrayList<>();
        List<Double> routedRates = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        List<Double> plainCpuPerWrite = new ArrayList<>();
        List<Double> routedCpuPerWrite = new ArrayList<>();
        long pollerCpu = pollerCpuNanos();
        long pollerWall = System.nanoTime();
        for (int r = -1; r < rounds; r++) { // round -1 warms both up
            long plainNanos = 0;
            long routedNanos = 0;
            long plainWrites = 0;
            long routedWrites = 0;
            long plainCpu = 0;
            long routedCpu = 0;
            long end = System.nanoTime() + roundNanos * 2;
            boolean plainFirst = true;
            while (System.nanoTime() < end) {
                for (int turn = 0; turn < 2; turn++) {
                    boolean doPlain = (turn == 0) == plainFirst;
                    long t = System.nanoTime();
                    long cpu = THREADS.getCurrentThreadCpuTime();
                    writes(doPlain ? a : b, ids, 100);
                    long spent = System.nanoTime() - t;
                    long cpuSpent = THREADS.getCurrentThreadCpuTime() - cpu;
                    if (doPlain) {
                        plainNanos += spent;
                        plainWrites += 100;
                        plainCpu += cpuSpent;
                    } else {
                        routedNanos += spent;
                        routedWrites += 100;
                        routedCpu += cpuSpent;
                    }
                }
                plainFirst = !plainFirst;
            }
            if (r >= 0) {
                double p = plainWrites / (plainNanos / 1e9);
                double q = routedWrites / (routedNanos / 1e9);
                plainRates.add(p);
                routedRates.add(q);
                ratios.add(q / p);
                cpuRatios.add(((double) routedCpu / routedWrites) / ((double) plainCpu / plainWrites));
                plainCpuPerWrite.add(plainCpu / 1000.0 / plainWrites);
                routedCpuPerWrite.add(routedCpu / 1000.0 / routedWrites);
            }
        }
        double ratio = median(ratios);
        System.out.printf(Locale.ROOT, "%n1. writes (compiled + typed inserts, autocommit, one thread, turns of 100)%n"
                + "   plain one-server pool: %,.0f writes/s; routed (1 replica, WAL tracking): %,.0f writes/s; "
                + "median ratio of the rounds %.3f (overhead %.1f%%; rounds: %s)%n", median(plainRates),
                median(routedRates), ratio, (1 - ratio) * 100, ratios.stream()
                        .map(x -> String.format(Locale.ROOT, "%.3f", x)).toList());
        double pollerShare = (pollerCpuNanos() - pollerCpu) / (double) (System.nanoTime() - pollerWall);
        System.out.printf(Locale.ROOT, "   client CPU per write: plain %.1f us, routed %.1f us: ratio %.3f (the "
                + "routing's own cost, free of the machine's scheduling noise); the pollers use %.2f%% of a core "
                + "(every routed database in this JVM)%n", median(plainCpuPerWrite), median(routedCpuPerWrite),
                median(cpuRatios), pollerShare * 100);
    }

    private static void writes(FoundUp fu, AtomicLong ids, int count) {
        for (int n = 0; n < count; n++) {
            String id = "u" + ids.incrementAndGet();
            if ((n & 1) == 0) {
                fu.addUser(id, "compiled");
            } else {
                fu.dsl().insertInto(FOUNDUP_USERS).set(FOUNDUP_USERS.ID, id).set(FOUNDUP_USERS.USERNAME, "typed")
                        .execute();
            }
        }
    }

    // ---- 2. reads

    private static void readThroughput(FoundupsDb[] dbs, long roundNanos, int rounds, int threads) throws Exception {
        int k = dbs.length;
        FoundUp[] fus = new FoundUp[k];
        for (int i = 0; i < k - 1; i++) {
            fus[i] = dbs[i].foundUp("reads");
        }
        for (int u = 0; u < 100; u++) {
            fus[0].addUser("r" + u, "reader");
        }
        awaitCaughtUp(dbs[2], Duration.ofSeconds(30));
        awaitCaughtUp(dbs[1], Duration.ofSeconds(30));
        fus[k - 1] = dbs[k - 1].foundUp("reads"); // on the standby: the namespace exists there once replayed
        // Slices of 250 ms per system in turn, rotating the order, so all meet the same machine load; per cycle the
        // ratio of each to the plain database, and the median of those.
        long slice = 250_000_000L;
        int cycles = (int) Math.max(3, rounds * roundNanos / slice / k);
        List<List<Double>> rates = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            rates.add(new ArrayList<>());
        }
        for (int i = 0; i < k; i++) {
            reads(fus[i], threads, slice); // warm-up
        }
        long[] replicaBefore = new long[k];
        long[] primaryBefore = new long[k];
        for (int i = 0; i < k; i++) {
            replicaBefore[i] = dbs[i].replication().map(ReplicationStatus::readsOnReplicas).orElse(0L);
            primaryBefore[i] = dbs[i].replication().map(ReplicationStatus::readsOnPrimary).orElse(0L);
        }
        long[] cpu = new long[k];
        long[] count = new long[k];
        for (int c = 0; c < cycles; c++) {
            for (int j = 0; j < k; j++) {
                int i = (j + c) % k;
                long cpu0 = readCpu.get();
                long n0 = readCount.get();
                rates.get(i).add(reads(fus[i], threads, slice));
                cpu[i] += readCpu.get() - cpu0;
                count[i] += readCount.get() - n0;
            }
        }
        System.out.printf(Locale.ROOT, "%n2. point reads (half compiled, half typed jOOQ), %d threads, no writes; %d "
                + "cycles of 250 ms slices%n", threads, cycles);
        String[] names = {"0 standbys (plain)", "1 standby", "2 standbys", "routed, reads NONE",
            "plain, on a standby"};
        for (int i = 0; i < k; i++) {
            List<Double> ratios = new ArrayList<>();
            for (int c = 0; c < cycles; c++) {
                ratios.add(rates.get(i).get(c) / rates.get(0).get(c));
            }
            double rate = median(rates.get(i));
            String share = "";
            if (i > 0 && dbs[i].replication().isPresent()) {
                ReplicationStatus s = dbs[i].replication().orElseThrow();
                long onReplicas = s.readsOnReplicas() - replicaBefore[i];
                long onPrimary = s.readsOnPrimary() - primaryBefore[i];
                share = String.format(Locale.ROOT, "; %.1f%% served by standbys (%s)",
                        100.0 * onReplicas / Math.max(1, onReplicas + onPrimary), perNode(s));
            }
            System.out.printf(Locale.ROOT, "   %-20s %,9.0f reads/s  ratio %.2f; client CPU %.1f us/read%s%n",
                    names[i], rate, median(ratios), cpu[i] / 1000.0 / Math.max(1, count[i]), share);
        }
    }

    private static String perNode(ReplicationStatus s) {
        StringBuilder out = new StringBuilder();
        for (NodeStatus n : s.nodes()) {
            out.append(out.length() == 0 ? "" : ", ").append(n.role().name().toLowerCase(Locale.ROOT)).append(' ')
                    .append(n.name()).append(": ").append(String.format(Locale.ROOT, "%,d", n.reads()));
        }
        return out.toString();
    }

    private static final AtomicLong readCpu = new AtomicLong();
    private static final AtomicLong readCount = new AtomicLong();

    private static double reads(FoundUp fu, int threads, long roundNanos) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<Long>> counts = new ArrayList<>();
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                counts.add(pool.submit(() -> {
                    long n = 0;
                    long cpu = THREADS.getCurrentThreadCpuTime();
                    while (!stop.get()) {
                        String id = "r" + ((seed * 31 + n) % 100);
                        if ((n & 1) == 0) {
                            fu.user(id).orElseThrow();
                        } else {
                            fu.dsl().selectFrom(FOUNDUP_USERS).where(FOUNDUP_USERS.ID.eq(id)).fetchSingle();
                        }
                        n++;
                    }
                    readCpu.addAndGet(THREADS.getCurrentThreadCpuTime() - cpu);
                    readCount.addAndGet(n);
                    return n;
                }));
            }
            Thread.sleep(roundNanos / 1_000_000);
            stop.set(true);
            long total = 0;
            for (Future<Long> c : counts) {
                total += c.get();
            }
            return total / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdown();
        }
    }

    // ---- 3. read-your-writes

    private static void readYourWrites(FoundupsDb plain, FoundupsDb late, long roundNanos, int rounds) {
        FoundUp a = plain.foundUp("ryw_plain");
        FoundUp b = late.foundUp("ryw_late");
        awaitCaughtUp(late, Duration.ofSeconds(30));
        AtomicLong ids = new AtomicLong();
        List<Double> plainLatency = new ArrayList<>();
        List<Double> lateLatency = new ArrayList<>();
        long fallbacksBefore = 0;
        long replicaBefore = 0;
        long primaryBefore = 0;
        long pairs = 0;
        long missing = 0;
        for (int r = -1; r < rounds; r++) {
            if (r == 0) {
                ReplicationStatus s = late.replication().orElseThrow();
                fallbacksBefore = s.readYourWritesFallbacks();
                replicaBefore = s.readsOnReplicas();
                primaryBefore = s.readsOnPrimary();
            }
            double[] p = writeThenRead(a, ids, roundNanos);
            double[] q = writeThenRead(b, ids, roundNanos);
            if (r >= 0) {
                plainLatency.add(p[0]);
                lateLatency.add(q[0]);
                pairs += (long) q[1];
                missing += (long) q[2] + (long) p[2];
            }
        }
        ReplicationStatus s = late.replication().orElseThrow();
        long fallbacks = s.readYourWritesFallbacks() - fallbacksBefore;
        long onReplica = s.readsOnReplicas() - replicaBefore;
        long onPrimary = s.readsOnPrimary() - primaryBefore;
        double p = median(plainLatency);
        double q = median(lateLatency);
        System.out.printf(Locale.ROOT, "%n3. read-your-writes, a standby 200 ms behind (recovery_min_apply_delay): "
                + "write, then read it at once%n   read after write: plain %.0f us, routed %.0f us: ratio %.2f "
                + "(added %.0f us); %,d reads after writes, %.1f%% fell back to the primary, %,d on the standby; "
                + "%d reads missed their write%n", p, q, q / p, q - p, pairs,
                100.0 * fallbacks / Math.max(1, onReplica + onPrimary), onReplica, missing);
    }

    /** @return median read latency in microseconds, reads, reads that did not see their write */
    private static double[] writeThenRead(FoundUp fu, AtomicLong ids, long roundNanos) {
        List<Long> latencies = new ArrayList<>();
        long missing = 0;
        long end = System.nanoTime() + roundNanos;
        while (System.nanoTime() < end) {
            String id = "y" + ids.incrementAndGet();
            fu.addUser(id, "w");
            long t = System.nanoTime();
            boolean seen = fu.user(id).isPresent();
            latencies.add(System.nanoTime() - t);
            if (!seen) {
                missing++;
            }
        }
        return new double[] {medianLong(latencies) / 1000.0, latencies.size(), missing};
    }

    // ---- 4. failover

    private static void failover(ReplicationCluster cluster, Server primary, Server standby) throws Exception {
        String url = ReplicationCluster.multiHostUrl("bench", primary, standby);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).maximumPoolSize(4).open()) {
            FoundUp fu = db.foundUp("failover");
            AtomicLong killedAt = new AtomicLong();
            AtomicLong firstAfter = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                long i = 0;
                while (running.get()) {
                    try {
                        fu.addUser("f" + i++, "w");
                        if (killedAt.get() != 0 && firstAfter.get() == 0) {
                            firstAfter.set(System.nanoTime());
                        }
                    } catch (RuntimeException e) {
                        // in flight during the failover
                    }
                }
            });
            writer.start();
            Thread.sleep(1000);
            cluster.stop(primary, "immediate");
            killedAt.set(System.nanoTime());
            cluster.promote(standby);
            long promoted = System.nanoTime();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (firstAfter.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            running.set(false);
            writer.join();
            Supplier<String> report = () -> db.replication().flatMap(ReplicationStatus::lastFailover)
                    .map(f -> f.downtime().toMillis() + " ms (primary lost to first write, as the library saw it)")
                    .orElse("none");
            System.out.printf(Locale.ROOT, "%n4. failover (immediate stop of the primary, pg_promote() of an "
                    + "asynchronous standby, multi-host URL)%n   promotion %d ms; kill to first acknowledged "
                    + "write on the new primary %d ms; library's report %s%n", (promoted - killedAt.get()) / 1_000_000,
                    firstAfter.get() == 0 ? -1 : (firstAfter.get() - killedAt.get()) / 1_000_000, report.get());
        }
    }

    // ---- helpers

    private static void awaitCaughtUp(FoundupsDb db, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            ReplicationStatus s = db.replication().orElseThrow();
            if (s.nodes().stream().filter(n -> n.role() == NodeStatus.Role.REPLICA)
                    .allMatch(n -> n.lagBytes() == 0 && n.health() == NodeStatus.Health.UP)) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private static long pollerCpuNanos() {
        long total = 0;
        for (java.lang.management.ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && info.getThreadName().equals("foundups-db-replica-poller")) {
                total += Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static double medianLong(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2);
    }
}
