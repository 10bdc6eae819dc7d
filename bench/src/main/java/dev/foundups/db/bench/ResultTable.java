package dev.foundups.db.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;

/**
 * Prints the medians: one row per op, one column per system (ops/s), then the ratios the goals are about. A ratio
 * short of its goal is marked with {@code *}.
 */
final class ResultTable {

    /** A ratio column: numerator system over denominator system, and the goal for an op. */
    private record Ratio(String label, String numerator, String denominator, ToDoubleFunction<Op> goal) {
    }

    private static final List<Ratio> RATIOS = List.of(
            new Ratio("sqlite/raw", "foundups-sqlite", "raw-sqlite", op -> op.kind.rawGoal),
            new Ratio("sqlite/ref", "foundups-sqlite", "reference", op -> Op.REFERENCE_GOAL),
            new Ratio("pg/raw-pg", "foundups-pg", "raw-pg", op -> op.kind.rawGoal),
            new Ratio("pg/ref", "foundups-pg", "reference", op -> Op.REFERENCE_GOAL));

    private ResultTable() {
    }

    static void print(Results results, PrintStream out) {
        List<String> systems = results.systems();
        List<Ratio> ratios = new ArrayList<>();
        for (Ratio ratio : RATIOS) {
            if (systems.contains(ratio.numerator) && systems.contains(ratio.denominator)) {
                ratios.add(ratio);
            }
        }
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-24s", "op"));
        systems.forEach(s -> header.append(String.format(Locale.ROOT, " %15s", s)));
        ratios.forEach(r -> header.append(String.format(Locale.ROOT, " %11s", r.label)));
        out.println(header);
        for (Op op : Op.values()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-24s", op.label));
            for (String system : systems) {
                OptionalDouble median = results.median(system, op);
                row.append(String.format(Locale.ROOT, " %15s",
                        median.isPresent() ? String.format(Locale.ROOT, "%.0f", median.getAsDouble()) : "-"));
            }
            for (Ratio ratio : ratios) {
                row.append(String.format(Locale.ROOT, " %11s", ratio(results, ratio, op)));
            }
            out.println(row);
        }
        out.println("(median ops/s over the rounds; ratio = FoundUps DB / baseline; * = short of the goal: writes"
                + " >= 0.95x raw, get_moderator >= 0.85x raw, every op >= 40x reference)");
    }

    private static String ratio(Results results, Ratio ratio, Op op) {
        OptionalDouble top = results.median(ratio.numerator, op);
        OptionalDouble bottom = results.median(ratio.denominator, op);
        if (top.isEmpty() || bottom.isEmpty()) {
            return "-";
        }
        double value = top.getAsDouble() / bottom.getAsDouble();
        String mark = value < ratio.goal.applyAsDouble(op) ? "*" : " ";
        return String.format(Locale.ROOT, value >= 10 ? "%.0fx%s" : "%.2fx%s", value, mark);
    }
}
