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
 *
 * <p>On a sharded target a table is compared on the shard that holds it; the shared tables
 * ({@code agents_awakening}, {@code agents_memory}) and the catalog once per shard, each with the source's rows
 * that belong there. {@link #shards()} says which shard got which modules, FoundUps and agents.
 */
public final class CopyReport {

    /**
     * One table on both sides.
     *
     * @param table          the table's name, such as {@code foundups_fu1_users}; the catalog is
     *                       {@code foundupsdb_namespaces}
     * @param shard          the shard the table was compared on, or null when the target is not sharded
     * @param sourceRows     rows in the source (on a sharded target: those that belong on this shard)
     * @param targetRows     rows in the target, or -1 when the target has no such table
     * @param sourceChecksum checksum of the source's rows
     * @param targetChecksum checksum of the target's rows, or {@code "missing"}
     * @param copied         whether this run copied it (false: an earlier run did, or this was a verification)
     */
    public record TableResult(String table, String shard, long sourceRows, long targetRows, String sourceChecksum,
                              String targetChecksum, boolean copied) {

        /**
         * A table of a target that is not sharded.
         *
         * @param table          the table's name
         * @param sourceRows     rows in the source
         * @param targetRows     rows in the target, or -1 when the target has no such table
         * @param sourceChecksum checksum of the source's rows
         * @param targetChecksum checksum of the target's rows, or {@code "missing"}
         * @param copied         whether this run copied it
         */
        public TableResult(String table, long sourceRows, long targetRows, String sourceChecksum,
                           String targetChecksum, boolean copied) {
            this(table, null, sourceRows, targetRows, sourceChecksum, targetChecksum, copied);
        }

        /** @return whether both sides hold the same rows */
        public boolean matches() {
            return sourceRows == targetRows && sourceChecksum.equals(targetChecksum);
        }

        /**
         * @return one line for people, such as {@code agents_memory: 10 rows in the source, 9 in the target}, or
         *         {@code agents_memory on shard 'b': ...}
         */
        public String describe() {
            String what = shard == null ? table : table + " on shard '" + shard + "'";
            if (targetRows < 0) {
                return what + ": " + sourceRows + " rows in the source, and no such table in the target";
            }
            if (sourceRows != targetRows) {
                return what + ": " + sourceRows + " rows in the source, " + targetRows + " in the target";
            }
            if (!matches()) {
                return what + ": " + sourceRows + " rows on both sides, but their values differ (checksum "
                        + sourceChecksum + " in the source, " + targetChecksum + " in the target)";
            }
            return what + ": " + sourceRows + " rows, checksum " + sourceChecksum + " on both sides";
        }
    }

    /**
     * What one shard of a sharded target got.
     *
     * @param shard    the shard's name; {@code main} is the database the target URL names
     * @param modules  the modules placed on it, by name
     * @param foundUps the FoundUps placed on it, by id
     * @param agents   the agents placed on it (their {@code agents_awakening} and {@code agents_memory} rows), by id
     * @param tables   how many tables were compared on it, the catalog not counted
     * @param rows     how many of the source's rows belong in those tables
     */
    public record ShardResult(String shard, List<String> modules, List<String> foundUps, List<String> agents,
                              int tables, long rows) {

        /** How many names a line shows before it says how many more there are. */
        private static final int NAMES_SHOWN = 5;

        /** Copies the lists. */
        public ShardResult {
            modules = List.copyOf(modules);
            foundUps = List.copyOf(foundUps);
            agents = List.copyOf(agents);
        }

        /**
         * @return one line for people, such as {@code b: 1 module(s) (chat_rules), 2 FoundUp(s) (fu_1, fu_3),
         *         1 agent(s) (agent_2); 9 tables, 41 rows}, the first few names of each kind
         */
        public String describe() {
            return shard + ": " + names(modules, "module(s)") + ", " + names(foundUps, "FoundUp(s)") + ", "
                    + names(agents, "agent(s)") + "; " + tables + " tables, " + rows + " rows";
        }

        private static String names(List<String> names, String what) {
            if (names.isEmpty()) {
                return "0 " + what;
            }
            String shown = String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())));
            return names.size() + " " + what + " (" + shown
                    + (names.size() > NAMES_SHOWN ? " and " + (names.size() - NAMES_SHOWN) + " more" : "") + ")";
        }
    }

    private final String source;
    private final String target;
    private final List<TableResult> tables;
    private final List<ShardResult> shards;
    private final Duration elapsed;

    CopyReport(String source, String target, List<TableResult> tables, List<ShardResult> shards, Duration elapsed) {
        this.source = Objects.requireNonNull(source);
        this.target = Objects.requireNonNull(target);
        this.tables = List.copyOf(tables);
        this.shards = List.copyOf(shards);
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

    /**
     * @return every table compared, in the order they were copied; on a sharded target each table once per shard
     *         that holds it
     */
    public List<TableResult> tables() {
        return tables;
    }

    /**
     * @return per shard of a sharded target, {@code main} first: the modules, FoundUps and agents placed there, and
     *         its tables and rows; empty when the target is not sharded
     */
    public List<ShardResult> shards() {
        return shards;
    }

    /** @return whether the target is sharded: tables were copied to several databases */
    public boolean sharded() {
        return !shards.isEmpty();
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
        return "CopyReport[" + source + " -> " + target + (sharded() ? " (" + shards.size() + " shards)" : "")
                + ", " + tables.size() + " tables, " + rowsCopied() + " rows copied, "
                + (verified() ? "verified" : mismatches().size() + " mismatch(es)") + "]";
    }
}
