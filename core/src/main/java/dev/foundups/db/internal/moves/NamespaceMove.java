package dev.foundups.db.internal.moves;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.internal.moves.MoveContext.Point;
import dev.foundups.db.internal.moves.MoveJournal.Method;
import dev.foundups.db.internal.namespaces.CatalogRows;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.namespaces.Template;
import dev.foundups.db.internal.naming.NamespaceName;
import dev.foundups.db.internal.naming.SqlIdentifier;

/**
 * The steps of one module's or FoundUp's move ({@link Step} describes each), online by logical replication or
 * offline by a copy under the fence. Every step is safe to run again: it looks at the servers before it acts. So a
 * run after a crash starts at the journaled step, except that the servers decide the one fact the journal cannot
 * hold atomically: a fence committed on the source (then the target is complete, and the move goes on to the
 * flip) and a flip committed in the directory (then only the cleanup is left).
 */
final class NamespaceMove {

    private final MoveContext m;
    private final NamespaceKind kind;
    private final ClassLoader classLoader;
    private final Fence fence;
    private NamespaceInfo sourceInfo;
    private NamespaceTables tables;
    private Replication replication;
    private long rows = -1;
    private Duration freeze;

    NamespaceMove(MoveContext context, ClassLoader classLoader) {
        this.m = context;
        this.kind = NamespaceKind.valueOf(context.entry.kind());
        this.classLoader = classLoader;
        this.fence = new Fence(context.settings.lockTimeout(), context.settings.lockAttempts());
    }

    /** Runs the move from where its journal stands to its end. */
    Moves.Report run(boolean resumed, String note) {
        long started = System.nanoTime();
        boolean logical = m.entry.method() == Method.LOGICAL;
        Step from = m.resumeFrom();
        if (m.flipped()) {
            from = from.flipped() ? from : Step.UNSUBSCRIBED;
        } else {
            describe();
            if (from.compareTo(Step.FENCED) > 0 || fencedOnSource()) {
                from = Step.FLIPPED; // a committed fence means the target holds everything
            }
        }
        if (at(from, Step.PLANNED)) {
            m.step(Step.PLANNED, this::clearOldLeftovers);
        }
        if (at(from, Step.MARKED)) {
            m.step(Step.MARKED, () -> m.directory.markMoving(m.entry.kind(), m.entry.name()));
        }
        if (at(from, Step.PROVISIONED)) {
            m.step(Step.PROVISIONED, () -> provision(logical));
        }
        if (logical && at(from, Step.PUBLISHED)) {
            m.step(Step.PUBLISHED, () -> replication.publish(m.source(), tables));
        }
        if (logical && at(from, Step.SUBSCRIBED)) {
            m.step(Step.SUBSCRIBED, () -> {
                replication.createSlot(m.source(), m.settings.syncTimeout());
                replication.subscribe(m.target(), Conninfo.of(m.source.url()));
            });
        }
        if (logical && at(from, Step.SYNCED)) {
            m.step(Step.SYNCED, () -> {
                try (Connection other = m.source.connect()) {
                    replication.awaitSynchronised(m.target(), m.source(), other, tables.tables().size(),
                            m.settings.syncTimeout());
                }
            });
        }
        if (at(from, Step.FENCED)) {
            m.step(Step.FENCED, () -> freeze(logical));
        }
        if (at(from, Step.FLIPPED)) {
            m.step(Step.FLIPPED, () -> m.directory.flip(m.entry.kind(), m.entry.name(), m.entry.target()));
        }
        Cleanup cleanup = new Cleanup(m, classLoader);
        if (logical && at(from, Step.UNSUBSCRIBED)) {
            m.step(Step.UNSUBSCRIBED, () -> cleanup.unsubscribe(new Replication(prefix())));
        }
        m.step(Step.SOURCE_CLEANED, () -> rows = cleanup.cleanSource(kind, prefix(), rows));
        m.journal.figures(m.entry, rows < 0 ? null : rows, freeze == null ? null : freeze.toMillis());
        m.journal.finish(m.entry, MoveJournal.DONE);
        return new Moves.Report(m.entry.kind(), m.entry.name(), m.entry.source(), m.entry.target(),
                m.entry.method().name(), resumed, rows, Duration.ofNanos(System.nanoTime() - started), freeze,
                cleanup.orphanSlot(), cleanup.sourceLeftBehind(), note);
    }

    /** Puts a move that has not flipped back as it was: the source authoritative and nothing of the move left. */
    void rollBack() throws SQLException {
        if (m.flipped()) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, m.entry.label() + " has already been switched to shard '"
                    + m.entry.target() + "'; its move can only be finished (run it again)");
        }
        describe();
        if (tables.fenced(m.source())) {
            fence.unfence(m.source(), tables);
        }
        replication.unsubscribe(m.target()); // the source is up: its slot goes too
        Replication.dropSlot(m.source(), replication.name());
        replication.dropPublication(m.source());
        Namespaces target = m.target.namespaces(classLoader);
        if (target.find(kind, m.entry.name()).filter(n -> n.state() != NamespaceState.DROPPED).isPresent()) {
            target.drop(kind, m.entry.name());
        }
        deleteCatalogRow(m.target(), kind, m.entry.name());
        m.directory.restore(m.entry.kind(), m.entry.name());
        m.journal.finish(m.entry, MoveJournal.ROLLED_BACK);
    }

    private static boolean at(Step from, Step step) {
        return from.compareTo(step) <= 0;
    }

    private String prefix() {
        return sourceInfo != null ? sourceInfo.tablePrefix() : NamespaceName.tablePrefix(kind, m.entry.name());
    }

    /** Reads the namespace from the source's catalog: it must be ready at its template's current version. */
    private void describe() {
        try {
            DSLContext source = DSL.using(m.source(), SQLDialect.POSTGRES);
            sourceInfo = source.selectFrom(FOUNDUPSDB_NAMESPACES)
                    .where(FOUNDUPSDB_NAMESPACES.KIND.eq(kind.catalogValue()))
                    .and(FOUNDUPSDB_NAMESPACES.NAME.eq(m.entry.name()))
                    .fetchOptional(CatalogRows::info)
                    .filter(n -> n.state() != NamespaceState.DROPPED)
                    .orElseThrow(() -> new FoundupsDbException(ErrorCode.INVALID_INPUT, "shard '" + m.entry.source()
                            + "' has no " + kind.describeName() + " '" + m.entry.name() + "' in its catalog"));
            Template template = m.target.namespaces(classLoader).templates().require(kind, sourceInfo.template());
            if (sourceInfo.state() != NamespaceState.READY || sourceInfo.templateVersion() != template.version()) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, m.entry.label() + " is " + sourceInfo.state()
                        .catalogValue() + " at version " + sourceInfo.templateVersion() + " of template '"
                        + template.name() + "' (current: " + template.version() + ") on shard '" + m.entry.source()
                        + "': run foundups-db migrate, then move it");
            }
            tables = new NamespaceTables(NamespaceTables.currentSchema(m.source()),
                    List.copyOf(template.tableMapping(sourceInfo.tablePrefix()).values()));
            replication = new Replication(sourceInfo.tablePrefix());
        } catch (SQLException e) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, "cannot read " + m.entry.label() + " on shard '"
                    + m.entry.source() + "': " + e.getMessage(), e);
        }
    }

    private boolean fencedOnSource() {
        try {
            return tables.fenced(m.source());
        } catch (SQLException e) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, "cannot look at the tables of " + m.entry.label()
                    + " on shard '" + m.entry.source() + "': " + e.getMessage(), e);
        }
    }

    /**
     * A fresh move: what moves of the same name left behind (a stale copy in the fence schema, a publication, a
     * slot, a subscription on the target) goes first, so that this move's objects can be made. Only stale things
     * can be there: the namespace's live tables are in place on the source, and this move has made nothing yet.
     */
    private void clearOldLeftovers() throws SQLException {
        if (tables.countIn(m.source(), tables.schema()) != tables.tables().size()) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, "the tables of " + m.entry.label() + " are not all in "
                    + "schema " + tables.schema() + " on shard '" + m.entry.source() + "' (found "
                    + tables.countIn(m.source(), tables.schema()) + " of " + tables.tables().size() + "; "
                    + tables.countIn(m.source(), NamespaceTables.FENCE_SCHEMA) + " in " + NamespaceTables.FENCE_SCHEMA
                    + "): an interrupted move whose journal is gone; put them back with ALTER TABLE ... SET SCHEMA");
        }
        Cleanup.dropFenced(m.source(), tables);
        replication.unsubscribe(m.target());
        Replication.dropSlot(m.source(), replication.name());
        replication.dropPublication(m.source());
    }

    /**
     * Creates the tables on the target the way every namespace is created (the library's provisioning, at the
     * template version the source has), with the source's catalog history. Rows a killed earlier run copied there
     * are removed while no subscription feeds the tables: the initial copy wants them empty.
     */
    private void provision(boolean logical) throws SQLException {
        Namespaces target = m.target.namespaces(classLoader);
        boolean listed = target.find(kind, m.entry.name()).filter(n -> n.state() != NamespaceState.DROPPED)
                .isPresent();
        if (listed && tables.countIn(m.target(), tables.schema()) == 0) {
            // The catalog row of a move away from this shard whose cleanup could not reach it: stale.
            Cleanup.dropFenced(m.target(), tables);
            deleteCatalogRow(m.target(), kind, m.entry.name());
        }
        NamespaceInfo created = target.createAll(kind, List.of(m.entry.name()), sourceInfo.template()).get(0);
        if (created.templateVersion() != sourceInfo.templateVersion()) {
            throw new FoundupsDbException(ErrorCode.MIGRATION, m.entry.label() + " is at version "
                    + created.templateVersion() + " on shard '" + m.entry.target() + "' and "
                    + sourceInfo.templateVersion() + " on '" + m.entry.source() + "': run foundups-db migrate first");
        }
        if (!NamespaceTables.currentSchema(m.target()).equals(tables.schema())) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, "shard '" + m.entry.target() + "' keeps its tables "
                    + "in schema " + NamespaceTables.currentSchema(m.target()) + ", shard '" + m.entry.source()
                    + "' in " + tables.schema() + ": a move needs the same schema on both (currentSchema in the URL)");
        }
        DSL.using(m.target(), SQLDialect.POSTGRES).transaction(tx ->
                target.rows().keepHistory(tx.dsl(), sourceInfo));
        if (logical && !replication.subscribed(m.target())) {
            RowCopy.truncate(m.target(), tables.qualifiedList());
        }
    }

    /** The freeze: wait for the subscriber to have every committed row (online) or copy them (offline), fence. */
    private void freeze(boolean logical) throws SQLException {
        if (tables.fenced(m.source())) {
            return; // committed by the killed run, whose journal did not say so yet
        }
        Connection target = m.target();
        Fence.Frozen frozen;
        try (Connection other = m.source.connect()) {
            Fence.UnderLock work;
            if (logical) {
                work = source -> {
                    String lsn = Replication.currentLsn(source);
                    Replication.nudge(other);
                    replication.awaitConfirmed(source, lsn, m.settings.catchUpTimeout());
                    return -1;
                };
            } else {
                work = source -> copyUnderLock(source, target);
            }
            frozen = fence.freeze(m.source(), target, tables, work,
                    () -> m.hook.reached(m.entry.label(), Step.FENCED, Point.LOCKED));
        }
        freeze = frozen.freeze();
        if (frozen.rows() >= 0) {
            rows = frozen.rows();
        }
    }

    /** Offline: copies and verifies every table in the target's own transaction, committed before the fence. */
    private long copyUnderLock(Connection source, Connection target) throws SQLException {
        return Transaction.run(target, () -> {
            RowCopy.truncate(target, tables.qualifiedList());
            long copied = 0;
            for (String table : tables.tables()) {
                List<String> columns = NamespaceTables.columns(source, tables.schema(), table);
                if (!columns.equals(NamespaceTables.columns(target, tables.schema(), table))) {
                    throw new FoundupsDbException(ErrorCode.MIGRATION, "table " + table + " has other columns on "
                            + "shard '" + m.entry.target() + "' than on '" + m.entry.source() + "'");
                }
                String qualified = SqlIdentifier.qualified(tables.schema(), table);
                copied += RowCopy.copy(source, qualified, target, qualified, columns);
            }
            return copied;
        });
    }


    /** Removes a namespace's catalog row, which a rolled-back move's provisioning made on the target. */
    static void deleteCatalogRow(Connection connection, NamespaceKind kind, String name) {
        DSL.using(connection, SQLDialect.POSTGRES).deleteFrom(FOUNDUPSDB_NAMESPACES)
                .where(FOUNDUPSDB_NAMESPACES.KIND.eq(kind.catalogValue()))
                .and(FOUNDUPSDB_NAMESPACES.NAME.eq(name))
                .execute();
    }
}
