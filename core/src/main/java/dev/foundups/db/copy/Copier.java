package dev.foundups.db.copy;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_COPY;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_COPY_TABLES;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jooq.Condition;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbBuilder;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.copy.CopyReport.TableResult;
import dev.foundups.db.copy.SourceDatabase.Plan;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.internal.namespaces.TemplateRegistry;

/**
 * One run of a {@link DatabaseCopy}: plan, prepare the target, provision (on its one database or its shards: see
 * {@link CopyDestination}), copy unit by unit, verify.
 */
final class Copier {

    /** How often a large table reports progress. */
    static final int PROGRESS_ROWS = 10_000;
    private static final int FETCH_SIZE = 2_000;

    private final DatabaseCopy.CopySettings settings;
    private final CopyListener listener;

    Copier(DatabaseCopy.CopySettings settings) {
        this.settings = settings;
        this.listener = settings.listener();
    }

    CopyReport copy() {
        long start = System.nanoTime();
        try (SourceDatabase source = SourceDatabase.open(settings.source(), settings.sourceSetting())) {
            Plan plan = source.plan(new TemplateRegistry(settings.source().dialect(), settings.classLoader()), true,
                    settings.sourceSetting());
            String sourceLabel = settings.source().toString();
            TargetPreparation.prepare(settings.target(), settings.targetSetting(), settings.existingTarget(),
                    sourceLabel);
            try (FoundupsDb target = openTarget(true)) {
                CopyDestination destination = CopyDestination.of(target, settings);
                DSLContext dsl = target.dsl(); // on a sharded target, main: the run is recorded there
                if (dsl.fetchCount(FOUNDUPSDB_COPY) == 0) {
                    dsl.insertInto(FOUNDUPSDB_COPY)
                            .set(FOUNDUPSDB_COPY.ID, 1)
                            .set(FOUNDUPSDB_COPY.SOURCE, sourceLabel)
                            .set(FOUNDUPSDB_COPY.STARTED_AT, now())
                            .execute();
                }
                List<CopyUnit> units = interruptible("cannot create the target's namespaces",
                        () -> destination.provision(source, plan));
                Map<CopyUnit.Key, Done> done = done(units);
                List<CopyUnit> data = units.stream().filter(u -> !u.table().catalog()).toList();
                listener.started(data.size(), plan.totalRows()
                        - plan.rows().get(FOUNDUPSDB_NAMESPACES.getName())); // all but the catalog
                Map<CopyUnit.Key, Done> copiedNow = new LinkedHashMap<>();
                for (CopyUnit unit : data) {
                    Done earlier = done.get(unit.key());
                    if (earlier != null) {
                        listener.tableSkipped(unit.table().name(), earlier.rows);
                        continue;
                    }
                    Done copied = interruptible("cannot copy " + describe(unit), () -> copyUnit(source, unit));
                    copiedNow.put(unit.key(), copied);
                    listener.tableCopied(unit.table().name(), copied.rows);
                }
                destination.finish();
                CopyReport report = verify(source, destination, units, copiedNow, start);
                // A synchronous commit, whatever the outcome: it makes every table's commit before it durable (on a
                // sharded target the destination has made the other shards' commits durable).
                dsl.update(FOUNDUPSDB_COPY).set(FOUNDUPSDB_COPY.FINISHED_AT, report.verified() ? now() : null)
                        .execute();
                return report;
            }
        }
    }

    CopyReport verifyOnly() {
        long start = System.nanoTime();
        settings.target().sqlitePath().filter(file -> !Files.isRegularFile(file)).ifPresent(file -> {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, settings.targetSetting() + ": there is no SQLite "
                    + "database at " + file); // opening would create an empty one only to report it different
        });
        try (SourceDatabase source = SourceDatabase.open(settings.source(), settings.sourceSetting());
             FoundupsDb target = openTarget(false)) {
            Plan plan = source.plan(new TemplateRegistry(settings.source().dialect(), settings.classLoader()), false,
                    settings.sourceSetting());
            CopyDestination destination = CopyDestination.of(target, settings);
            return verify(source, destination, destination.existing(source, plan), Map.of(), start);
        }
    }

    private FoundupsDb openTarget(boolean schemaChanges) {
        FoundupsDbBuilder builder = FoundupsDb.configure()
                .databaseUrl(settings.targetUrlText(), settings.targetSetting())
                .classLoader(settings.classLoader())
                .schemaChangesOnOpen(schemaChanges);
        return builder.open();
    }

    /** Rows and checksum of a table as read from the source by a run. */
    private record Done(long rows, String checksum) {
    }

    /** @return the units an earlier, interrupted run finished: each database records its own */
    private static Map<CopyUnit.Key, Done> done(List<CopyUnit> units) {
        Map<String, CopyUnit> oneOnEachDatabase = new LinkedHashMap<>();
        units.forEach(u -> oneOnEachDatabase.putIfAbsent(String.valueOf(u.shard()), u));
        Map<CopyUnit.Key, Done> done = new HashMap<>();
        for (CopyUnit unit : oneOnEachDatabase.values()) {
            unit.target().selectFrom(FOUNDUPSDB_COPY_TABLES).forEach(r -> done.put(
                    new CopyUnit.Key(unit.shard(), r.getTableName()), new Done(r.getRowCount(), r.getChecksum())));
        }
        return done;
    }

    /**
     * Copies one unit in one transaction on its database, which also records it as done: after an interruption the
     * unit is either copied and recorded, or neither. Rows stream from the source in key order.
     */
    private Done copyUnit(SourceDatabase source, CopyUnit unit) {
        DialectStrategy strategy = settings.target().strategy();
        CopyTable table = unit.table();
        return unit.target().transactionResult(tx -> {
            DSLContext t = tx.dsl();
            // Each table's commit need not wait for its WAL flush: a table lost in a server crash is not recorded as
            // done either (same transaction), so a resumed copy redoes it; and the end of the run, synchronous,
            // flushes all of them. Saves one disk flush per table.
            strategy.commitWithoutWaitingForDisk(t);
            t.deleteFrom(table.table()).execute(); // nothing, unless something wrote here since provisioning
            RowChecksum checksum = new RowChecksum();
            try (DialectStrategy.TableLoader loader = strategy.tableLoader(t, table.table(), table.fields())) {
                for (Condition filter : unit.filters()) {
                    try (Cursor<Record> rows = source.dsl().select(table.fields()).from(table.table()).where(filter)
                            .orderBy(table.order()).fetchSize(FETCH_SIZE).fetchLazy()) {
                        for (Record r : rows) {
                            Object[] values = r.intoArray();
                            loader.row(values);
                            checksum.add(values);
                            progress(table, checksum.rows());
                        }
                    }
                }
                loader.finish();
            }
            if (table.identity() != null) {
                strategy.continueIdentity(t, table.table(), table.identity());
            }
            Done done = new Done(checksum.rows(), checksum.hex());
            t.insertInto(FOUNDUPSDB_COPY_TABLES)
                    .set(FOUNDUPSDB_COPY_TABLES.TABLE_NAME, table.name())
                    .set(FOUNDUPSDB_COPY_TABLES.ROW_COUNT, done.rows)
                    .set(FOUNDUPSDB_COPY_TABLES.CHECKSUM, done.checksum)
                    .set(FOUNDUPSDB_COPY_TABLES.COPIED_AT, now())
                    .execute();
            return done;
        });
    }

    /**
     * Runs a step of the copy proper. A database error becomes one that says what failed and how to go on: every
     * table finished before it is kept and recorded, so the copy can be resumed. Anything else (a listener's
     * exception) passes as it is.
     */
    private static <T> T interruptible(String what, Supplier<T> step) {
        try {
            return step.get();
        } catch (DataAccessException | FoundupsDbException e) {
            ErrorCode code = e instanceof FoundupsDbException f ? f.errorCode() : ErrorCode.TRANSFER;
            throw new FoundupsDbException(code, what + ": " + DatabaseUrl.mask(String.valueOf(e.getMessage()))
                    + ". What was copied before is kept: fix the cause, then run the copy again with --resume to go "
                    + "on (or --restart to start over)", e);
        }
    }

    private static String describe(CopyUnit unit) {
        return unit.shard() == null ? unit.table().name() : unit.table().name() + " to shard '" + unit.shard() + "'";
    }

    private void progress(CopyTable table, long rows) {
        if (rows % PROGRESS_ROWS == 0) {
            listener.rowsCopied(table.name(), rows);
        }
    }

    /**
     * Compares every unit on both sides: the source's rows that belong there against the whole table on the unit's
     * database. The source's side of a unit copied by this run was summed as it was read; the others (copied by an
     * earlier run, or a verification) are read again from this run's snapshot.
     */
    private CopyReport verify(SourceDatabase source, CopyDestination destination, List<CopyUnit> units,
                              Map<CopyUnit.Key, Done> copiedNow, long start) {
        listener.verifying(units.size());
        List<TableResult> results = new ArrayList<>();
        for (CopyUnit unit : units) {
            CopyTable table = unit.table();
            Done fromSource = copiedNow.get(unit.key());
            if (fromSource == null) {
                fromSource = sum(source.dsl(), table, unit.filters());
            }
            Done fromTarget;
            try {
                fromTarget = unit.target().transactionResult(tx -> sum(tx.dsl(), table,
                        List.of(DSL.noCondition())));
            } catch (DataAccessException e) {
                fromTarget = null; // no such table in the target
            }
            results.add(new TableResult(table.name(), unit.shard(), fromSource.rows,
                    fromTarget == null ? -1 : fromTarget.rows, fromSource.checksum,
                    fromTarget == null ? "missing" : fromTarget.checksum, copiedNow.containsKey(unit.key())));
        }
        return new CopyReport(settings.source().toString(), settings.target().toString(), results,
                destination.shards(results), Duration.ofNanos(System.nanoTime() - start));
    }

    private static Done sum(DSLContext dsl, CopyTable table, List<Condition> filters) {
        RowChecksum checksum = new RowChecksum();
        for (Condition filter : filters) {
            try (Cursor<Record> rows = dsl.select(table.fields()).from(table.table()).where(filter)
                    .fetchSize(FETCH_SIZE).fetchLazy()) {
                for (Record r : rows) {
                    checksum.add(r.intoArray());
                }
            }
        }
        return new Done(checksum.rows(), checksum.hex());
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
