package dev.foundups.db.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one benchmark run does: {@code [SCALE] [ROUNDS] [--warmup N] [--systems a,b] [--reference PATH]
 * [--data DIR] [--turns N]}.
 *
 * @param scale     multiplies every count of WORKLOAD.md
 * @param rounds    measured rounds; each runs every system once, and the figures are the medians
 * @param warmups   unmeasured rounds of the JVM systems first, so the JIT has compiled the hot paths
 * @param systems   the systems to run, in table order
 * @param reference the reference design's {@code run_workload.py}
 * @param dataDir   where the SQLite files go
 * @param turns     ops per turn when the in-JVM systems take turns within each op; 0: each runs the whole workload
 *                  on its own
 */
record BenchOptions(double scale, int rounds, int warmups, Set<String> systems, Path reference, Path dataDir,
                    int turns) {

    /** Every system, in the order the table shows them. */
    static final List<String> ALL_SYSTEMS = List.of("foundups-sqlite", "raw-sqlite", "reference", "foundups-pg",
            "raw-pg");

    static final String USAGE = """
            usage: bench/run [SCALE] [ROUNDS] [--warmup N] [--systems NAME,...] [--reference PATH] [--data DIR]
                             [--turns N]
                   bench/run --jmh [JMH options]
                   bench/run --profile-summary RECORDING.jfr [FRAME]
                   bench/run --replicas [SECONDS_PER_ROUND] [ROUNDS] [READER_THREADS]

              SCALE        multiplies every count of WORKLOAD.md (default 1; at least 0.002)
              ROUNDS       measured rounds, systems alternating; the table shows medians (default 3)
              --warmup N   unmeasured rounds of the JVM systems first (default 1)
              --systems    any of foundups-sqlite, raw-sqlite, reference, foundups-pg, raw-pg (default: all)
              --reference  the reference design's run_workload.py
                           (default ../shared/peers/wsp78-python/run_workload.py)
              --data DIR   where the SQLite files go (default target/bench-data)
              --turns N    the JVM systems take turns every N ops within each op, so they meet the same
                           machine load (default 200); 0: each runs the whole workload alone, in turn
              --jmh        run the JMH micro benchmarks instead; the rest goes to JMH (try -h)
              --profile-summary  where a JFR recording of a run spent its time, in samples whose stack
                           passes through FRAME (e.g. TypedOperations.getModerator)
              --replicas   read replicas on a local primary and three streaming standbys: write overhead of
                           routing, reads with 0/1/2 standbys, read-your-writes with a standby 200 ms behind,
                           failover time (defaults: 2 s rounds, 5 rounds, 4 reader threads)
            """;

    /**
     * @param args the command line
     * @return the options
     * @throws IllegalArgumentException naming the argument that is wrong
     */
    static BenchOptions parse(String... args) {
        double scale = 1;
        int rounds = 3;
        int warmups = 1;
        Set<String> systems = new LinkedHashSet<>(ALL_SYSTEMS);
        Path reference = Path.of("../shared/peers/wsp78-python/run_workload.py");
        Path dataDir = Path.of("target/bench-data");
        int turns = 200;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--warmup" -> warmups = atLeast("--warmup", value(args, ++i, arg), 0);
                case "--systems" -> systems = systems(value(args, ++i, arg));
                case "--reference" -> reference = Path.of(value(args, ++i, arg));
                case "--data" -> dataDir = Path.of(value(args, ++i, arg));
                case "--turns" -> turns = atLeast("--turns", value(args, ++i, arg), 0);
                default -> {
                    if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + arg);
                    }
                    positional.add(arg);
                }
            }
        }
        if (positional.size() > 2) {
            throw new IllegalArgumentException("at most two arguments, SCALE and ROUNDS; got " + positional);
        }
        if (!positional.isEmpty()) {
            scale = scale(positional.get(0));
        }
        if (positional.size() > 1) {
            rounds = atLeast("ROUNDS", positional.get(1), 1);
        }
        new Workload(scale);
        return new BenchOptions(scale, rounds, warmups, Set.copyOf(systems), reference, dataDir, turns);
    }

    boolean runs(String system) {
        return systems.contains(system);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static double scale(String text) {
        try {
            double scale = Double.parseDouble(text);
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("SCALE must be a positive number, was " + text);
            }
            return scale;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SCALE must be a number, was " + text, e);
        }
    }

    private static int atLeast(String name, String text, int min) {
        try {
            int value = Integer.parseInt(text);
            if (value < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ", was " + text);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was " + text, e);
        }
    }

    private static Set<String> systems(String list) {
        Set<String> systems = new LinkedHashSet<>();
        for (String name : list.split(",")) {
            if (!ALL_SYSTEMS.contains(name.trim())) {
                throw new IllegalArgumentException("--systems: unknown system '" + name + "'; known: " + ALL_SYSTEMS);
            }
            systems.add(name.trim());
        }
        return systems;
    }
}
