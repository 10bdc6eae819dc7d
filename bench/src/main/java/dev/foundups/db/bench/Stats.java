package dev.foundups.db.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small helpers the stand-alone benchmarks share: a median of rounds, quantiles, and the machine's load. */
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

    /**
     * @param values    the values
     * @param fraction  0 to 1
     * @return the value below which that fraction of the values lie (nearest rank); NaN for none
     */
    static double quantile(List<Double> values, double fraction) {
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(fraction * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
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
