package dev.foundups.db.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small helpers the stand-alone benchmarks share: a median of rounds, and the machine's load. */
final class Stats {

    private Stats() {
    }

    /** @return the median of the values (the mean of the middle two for an even count); NaN for null */
    static double median(List<Double> values) {
        if (values == null) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** @return the one-minute load average, or {@code ?} where it cannot be read */
    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }
}
