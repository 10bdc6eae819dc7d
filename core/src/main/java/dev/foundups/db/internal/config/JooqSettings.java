package dev.foundups.db.internal.config;

import org.jooq.conf.FetchTriggerValuesAfterReturning;
import org.jooq.conf.RenderTable;
import org.jooq.conf.Settings;

/** The jOOQ settings of the library's contexts. */
public final class JooqSettings {

    private JooqSettings() {
    }

    /** @return a new copy of the settings every context of a database starts from */
    public static Settings base() {
        return plain()
                // On SQLite, jOOQ would otherwise re-select "returned" rows by last_insert_rowid(): wrong for upserts.
                .withFetchTriggerValuesAfterReturning(FetchTriggerValuesAfterReturning.NEVER)
                // Every query renders on every call. Qualifying each column with its table (the default) renders
                // each table name once per column, through the render mapping, and on SQLite checks each copy
                // against the keyword list and an identifier pattern: work every point read pays on each call
                // (bench: RenderBenchmark). Qualified names still appear where two tables are in scope.
                .withRenderTable(RenderTable.WHEN_MULTIPLE_TABLES);
    }

    /**
     * @return a new copy of the settings of a context on connections of its own, outside any database (a copy's
     *         source, a move's shard): no schema in the SQL and no logging of each statement
     */
    public static Settings plain() {
        return new Settings().withRenderSchema(false).withExecuteLogging(false);
    }
}
