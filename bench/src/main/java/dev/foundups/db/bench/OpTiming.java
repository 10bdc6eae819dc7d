package dev.foundups.db.bench;

import java.util.Locale;

/**
 * How long one system took for all runs of one op.
 *
 * @param op      the op
 * @param count   how many times it ran
 * @param seconds wall-clock time for all of them
 */
record OpTiming(Op op, int count, double seconds) {

    double opsPerSecond() {
        return count / seconds;
    }

    /** The line WORKLOAD.md asks for: {@code op=NAME n=COUNT seconds=S ops_per_s=R}. */
    String line() {
        return String.format(Locale.ROOT, "op=%s n=%d seconds=%.4f ops_per_s=%.1f", op.label, count, seconds,
                opsPerSecond());
    }

    /**
     * Parses a line of the form {@link #line()} writes, as the reference design prints it.
     *
     * @return the timing, or null when the line is not one
     */
    static OpTiming parse(String line) {
        String op = null;
        Integer count = null;
        Double seconds = null;
        for (String field : line.trim().split("\\s+")) {
            int eq = field.indexOf('=');
            if (eq < 0) {
                return null;
            }
            String value = field.substring(eq + 1);
            switch (field.substring(0, eq)) {
                case "op" -> op = value;
                case "n" -> count = Integer.valueOf(value);
                case "seconds" -> seconds = Double.valueOf(value);
                default -> {
                    // ops_per_s is derived; recomputed from n and seconds
                }
            }
        }
        if (op == null || count == null || seconds == null) {
            return null;
        }
        return new OpTiming(Op.byLabel(op), count, seconds);
    }
}
