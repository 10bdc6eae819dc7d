package dev.foundups.db.copy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a copy or a verification found: for every table, its rows and checksum on both sides. Immutable.
 *
 * <p>A checksum covers every value of every row, read through the typed classes and normalised (instants as
 * milliseconds since the epoch, JSON in one compact form, numbers by value), so the same data gives the same
 * checksum on SQLite and PostgreSQL. It does not depend on the order of the rows.
 */
public final class CopyReport {

    /**
     * One table on both sides.
     *
     * @param table          the table's name, such as {@code foundups_fu1_users}; the catalog is
     *                       {@code foundupsdb_namespaces}
     * @param sourceRows     rows in the source
     * @param targetRows     rows in the target, or -1 when the target has no such table
     * @param sourceChecksum checksum of the source's rows
     * @param targetChecksum checksum of the target's rows, or {@code "missing"}
     * @param copied         whether this run copied it (false: an earlier run did, or this was a verification)
     */
    public record TableResult(String table, long sourceRows, long targetRows, String sourceChecksum,
                              String targetChecksum, boolean copied) {

        /** @return whether both sides hold the same rows */
        public boolean matches() {
            return sourceRows == targetRows && sourceChecksum.equals(targetChecksum);
        }

        /** @return one line for people, such as {@code agents_memory: 10 rows in the source, 9 in the target} */
        public String describe() {
            if (targetRows < 0) {
                return table + ": " + sourceRows + " rows in the source, and no such table in the target";
            }
            if (sourceRows != targetRows) {
                return table + ": " + sourceRows + " rows in the source, " + targetRows + " in the target";
            }
            if (!matches()) {
                return table + ": " + sourceRows + " rows on both sides, but their values differ (checksum "
                        + sourceChecksum + " in the source, " + targetChecksum + " in the target)";
            }
            return table + ": " + sourceRows + " rows, checksum " + sourceChecksum + " on both sides";
        }
    }

    private final String source;
    private final String target;
    private final List<TableResult> tables;
    private final Duration elapsed;

    CopyReport(String source, String target, List<TableResult> tables, Duration elapsed) {
        this.source = Objects.requireNonNull(source);
        this.target = Objects.requireNonNull(target);
        this.tables = List.copyOf(tables);
        this.elapsed = Objects.requireNonNull(elapsed);
    }

    /** @return the source database, password masked */
    public String source() {
        return source;
    }

    /** @return the target database, password masked */
    public String target() {
        return target;
    }

    /** @return every table compared, in the order they were copied */
    public List<TableResult> tables() {
        return tables;
    }

    /** @return the tables whose rows differ between the two sides; empty when the copy is exact */
    public List<TableResult> mismatches() {
        return tables.stream().filter(t -> !t.matches()).toList();
    }

    /** @return whether every table has the same rows on both sides */
    public boolean verified() {
        return tables.stream().allMatch(TableResult::matches);
    }

    /** @return how many tables this run copied (the others were copied by an earlier run, or only compared) */
    public int tablesCopied() {
        return (int) tables.stream().filter(TableResult::copied).count();
    }

    /** @return rows this run copied */
    public long rowsCopied() {
        return tables.stream().filter(TableResult::copied).mapToLong(TableResult::sourceRows).sum();
    }

    /** @return rows in the source's tables, copied now or earlier */
    public long sourceRows() {
        return tables.stream().mapToLong(TableResult::sourceRows).sum();
    }

    /** @return how long the run took, verification included */
    public Duration elapsed() {
        return elapsed;
    }

    @Override
    public String toString() {
        return "CopyReport[" + source + " -> " + target + ", " + tables.size() + " tables, " + rowsCopied()
                + " rows copied, " + (verified() ? "verified" : mismatches().size() + " mismatch(es)") + "]";
    }
}
