package dev.foundups.db;

import org.jooq.conf.FetchTriggerValuesAfterReturning;
import org.jooq.conf.RenderTable;
import org.jooq.conf.Settings;

/** The jOOQ settings every context of a database starts from. */
final class JooqSettings {

    private JooqSettings() {
    }

    /** @return a new copy of them */
    static Settings base() {
        return new Settings()
                // On SQLite, jOOQ would otherwise re-select "returned" rows by last_insert_rowid(): wrong for upserts.
                .withFetchTriggerValuesAfterReturning(FetchTriggerValuesAfterReturning.NEVER)
                .withExecuteLogging(false)
                .withRenderSchema(false)
                // Every query renders on every call. Qualifying each column with its table (the default) renders
                // each table name once per column, through the render mapping, and on SQLite checks each copy
                // against the keyword list and an identifier pattern: work every point read pays on each call
                // (bench: RenderBenchmark). Qualified names still appear where two tables are in scope.
                .withRenderTable(RenderTable.WHEN_MULTIPLE_TABLES);
    }
}
