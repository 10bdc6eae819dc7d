package dev.foundups.db.copy;

/**
 * Told of a copy's progress, from the thread that runs it. Every method does nothing by default. An exception
 * thrown here stops the copy as an interruption would: the table in progress is rolled back, and a later run with
 * {@link ExistingTarget#RESUME} goes on from there.
 */
public interface CopyListener {

    /** A listener that ignores everything. */
    CopyListener NONE = new CopyListener() {
    };

    /**
     * The plan is made and the target's namespaces exist.
     *
     * @param tables how many tables will be copied or checked
     * @param rows   how many rows the source holds in them
     */
    default void started(int tables, long rows) {
    }

    /**
     * A table was finished by an earlier run that was interrupted, and is not copied again.
     *
     * @param table the table
     * @param rows  its rows, as the earlier run copied them
     */
    default void tableSkipped(String table, long rows) {
    }

    /**
     * Part of a table is copied (not yet committed): called every few thousand rows of a large table.
     *
     * @param table      the table
     * @param rowsSoFar  rows of this table sent so far
     */
    default void rowsCopied(String table, long rowsSoFar) {
    }

    /**
     * A table is copied and committed.
     *
     * @param table the table
     * @param rows  its rows
     */
    default void tableCopied(String table, long rows) {
    }

    /**
     * Copying is done; the verification of both sides starts.
     *
     * @param tables how many tables are compared
     */
    default void verifying(int tables) {
    }
}
