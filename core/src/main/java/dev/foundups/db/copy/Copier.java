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
import java.util.stream.Collectors;

import org.jooq.BatchBindStep;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbBuilder;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.internal.imports.TableSpec;
import dev.foundups.db.internal.namespaces.CatalogRows;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.namespaces.TemplateRegistry;
import dev.foundups.db.copy.CopyReport.TableResult;
import dev.foundups.db.copy.SourceDatabase.ImportedTable;
import dev.foundups.db.copy.SourceDatabase.Plan;

/** One run of a {@link DatabaseCopy}: plan, prepare the target, provision, copy table by table, verify. */
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
                DSLContext dsl = target.dsl();
                if (dsl.fetchCount(FOUNDUPSDB_COPY) == 0) {
                    dsl.insertInto(FOUNDUPSDB_COPY)
                            .set(FOUNDUPSDB_COPY.ID, 1)
                            .set(FOUNDUPSDB_COPY.SOURCE, sourceLabel)
                            .set(FOUNDUPSDB_COPY.STARTED_AT, now())
                            .execute();
                }
                provision(target, plan);
                Map<String, Done> done = new HashMap<>();
                dsl.selectFrom(FOUNDUPSDB_COPY_TABLES).forEach(r -> done.put(r.getTableName(),
                        new Done(r.getRowCount(), r.getChecksum())));
                listener.started(plan.tables().size() - 1, plan.totalRows()
                        - plan.rows().get(FOUNDUPSDB_NAMESPACES.getName())); // all but the catalog
                Map<String, Done> copiedNow = new LinkedHashMap<>();
                for (CopyTable table : plan.tables()) {
                    if (table.catalog()) {
                        continue; // written by provisioning, compared below
                    }
                    Done earlier = done.get(table.name());
                    if (earlier != null) {
                        listener.tableSkipped(table.name(), earlier.rows);
                        continue;
                    }
                    copiedNow.put(table.name(), copyTable(source, target, table));
                    listener.tableCopied(table.name(), copiedNow.get(table.name()).rows);
                }
                CopyReport report = verify(source, target, plan, copiedNow, start);
                // A synchronous commit, whatever the outcome: it makes every table's commit before it durable.
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
            return verify(source, target, plan, Map.of(), start);
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

    /**
     * Creates every namespace on the target through the library's own provisioning (the same catalog rows and
     * template DDL as {@code db.foundUp(id)} would make), then gives the catalog entries the source's times. On a
     * resumed copy, namespaces that exist already are left as they are.
     */
    private void provision(FoundupsDb target, Plan plan) {
        Namespaces namespaces = new Namespaces(target.dsl(), settings.target().strategy(),
                new TemplateRegistry(target.dialect(), settings.classLoader()), 4);
        CatalogRows rows = namespaces.rows();
        Map<String, NamespaceInfo> existing = namespaces.list().stream()
                .collect(Collectors.toMap(NamespaceInfo::label, n -> n));
        // Templated namespaces in bulk, per template: several at once on PostgreSQL.
        Map<String, List<NamespaceInfo>> byTemplate = new LinkedHashMap<>();
        for (NamespaceInfo ns : plan.namespaces()) {
            if (!existing.containsKey(ns.label()) && !CatalogRows.NO_TEMPLATE.equals(ns.template())
                    && ns.state() != NamespaceState.DROPPED) {
                byTemplate.computeIfAbsent(ns.kind().catalogValue() + ":" + ns.template(), k -> new ArrayList<>())
                        .add(ns);
            }
        }
        for (List<NamespaceInfo> group : byTemplate.values()) {
            NamespaceInfo first = group.get(0);
            namespaces.createAll(first.kind(), group.stream().map(NamespaceInfo::name).toList(), first.template());
        }
        for (NamespaceInfo ns : plan.namespaces()) {
            if (existing.containsKey(ns.label()) || !CatalogRows.NO_TEMPLATE.equals(ns.template())
                    || ns.state() == NamespaceState.DROPPED) {
                continue;
            }
            List<ImportedTable> tables = plan.imported().getOrDefault(ns.name(), List.of());
            target.dsl().transaction(tx -> {
                rows.registerImportedModule(tx.dsl(), ns.name());
                for (ImportedTable t : tables) {
                    TableSpec.createTable(tx.dsl(), t.name(), t.columns(), t.types(), t.primaryKey());
                }
            });
        }
        target.dsl().transaction(tx -> {
            for (NamespaceInfo ns : plan.namespaces()) {
                if (ns.state() == NamespaceState.DROPPED && !existing.containsKey(ns.label())) {
                    // A dropped namespace has no tables, only its catalog row: history, copied as it is (its
                    // template need not even be on the class path any more).
                    rows.insert(tx.dsl(), ns);
                }
                rows.keepHistory(tx.dsl(), ns);
            }
        });
    }

    /**
     * Copies one table in one target transaction, which also records it as done: after an interruption the table
     * is either copied and recorded, or neither. Rows stream from the source in key order.
     */
    private Done copyTable(SourceDatabase source, FoundupsDb target, CopyTable table) {
        DialectStrategy strategy = settings.target().strategy();
        return target.dsl().transactionResult(tx -> {
            DSLContext t = tx.dsl();
            // Each table's commit need not wait for its WAL flush: a table lost in a server crash is not recorded as
            // done either (same transaction), so a resumed copy redoes it; and the last commit of the run,
            // synchronous, flushes all of them. Saves one disk flush per table.
            strategy.commitWithoutWaitingForDisk(t);
            t.deleteFrom(table.table()).execute(); // nothing, unless something wrote here since provisioning
            RowChecksum checksum = new RowChecksum();
            try (Cursor<Record> rows = source.dsl().select(table.fields()).from(table.table())
                    .orderBy(table.order()).fetchSize(FETCH_SIZE).fetchLazy();
                 DialectStrategy.TableLoader loader = strategy.tableLoader(t, table.table(), table.fields())) {
                for (Record r : rows) {
                    Object[] values = r.intoArray();
                    loader.row(values);
                    checksum.add(values);
                    progress(table, checksum.rows());
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

    private void progress(CopyTable table, long rows) {
        if (rows % PROGRESS_ROWS == 0) {
            listener.rowsCopied(table.name(), rows);
        }
    }

    /**
     * Compares every table on both sides. The source's side of a table copied by this run was summed as it was
     * read; the other tables (copied by an earlier run, or a verification) are read again from this run's snapshot.
     */
    private CopyReport verify(SourceDatabase source, FoundupsDb target, Plan plan, Map<String, Done> copiedNow,
                              long start) {
        listener.verifying(plan.tables().size());
        List<TableResult> results = new ArrayList<>();
        for (CopyTable table : plan.tables()) {
            Done fromSource = copiedNow.get(table.name());
            if (fromSource == null) {
                fromSource = sum(source.dsl(), table);
            }
            Done fromTarget;
            try {
                fromTarget = target.dsl().transactionResult(tx -> sum(tx.dsl(), table));
            } catch (DataAccessException e) {
                fromTarget = null; // no such table in the target
            }
            results.add(new TableResult(table.name(), fromSource.rows,
                    fromTarget == null ? -1 : fromTarget.rows, fromSource.checksum,
                    fromTarget == null ? "missing" : fromTarget.checksum, copiedNow.containsKey(table.name())));
        }
        return new CopyReport(settings.source().toString(), settings.target().toString(), results,
                Duration.ofNanos(System.nanoTime() - start));
    }

    private static Done sum(DSLContext dsl, CopyTable table) {
        RowChecksum checksum = new RowChecksum();
        try (Cursor<Record> rows = dsl.select(table.fields()).from(table.table()).fetchSize(FETCH_SIZE).fetchLazy()) {
            for (Record r : rows) {
                checksum.add(r.intoArray());
            }
        }
        return new Done(checksum.rows(), checksum.hex());
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
