package dev.foundups.db.bench;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The benchmark command, run by {@code bench/run}: the WSP 78 workload on every system side by side; with
 * {@code --jmh} first, the JMH micro benchmarks; with {@code --profile-summary}, where a JFR recording of a run
 * spent its time.
 *
 * <pre>
 * bench/run 1 3                                   # SCALE 1, three measured rounds
 * bench/run --jmh                                 # all micro benchmarks
 * bench/run --profile-summary bench.jfr getModerator
 * </pre>
 */
public final class Main {

    private Main() {
    }

    /**
     * @param args see {@link BenchOptions#USAGE}
     * @throws Exception when JMH fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("--profile-summary")) {
            if (args.length < 2 || args.length > 3) {
                System.err.println("usage: bench/run --profile-summary RECORDING.jfr [FRAME]");
                System.exit(2);
            }
            ProfileSummary.print(Path.of(args[1]), args.length > 2 ? args[2] : "", System.out);
            return;
        }
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        try {
            Harness.run(options, System.out);
        } catch (Exception e) {
            System.err.println("bench: failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }
}
