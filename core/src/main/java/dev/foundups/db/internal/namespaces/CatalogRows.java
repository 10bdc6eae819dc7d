package dev.foundups.db.internal.namespaces;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;

import java.sql.PreparedStatement;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.InsertSetMoreStep;
import org.jooq.SelectConditionStep;
import org.jooq.impl.DSL;

import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.internal.naming.NamespaceName;
import dev.foundups.db.jooq.tables.records.FoundupsdbNamespacesRecord;

/**
 * The rows of the namespace catalog, {@code foundupsdb_namespaces}: every statement that reads or writes it. One
 * row per kind and name, kept after a drop (marked dropped) as the name's history.
 *
 * <p>Reads without a transaction argument run on their own; writes take the caller's transaction, except
 * {@link #markFailed}, which must outlive the transaction that failed. Which locks a caller holds is the rule of
 * {@link NamespaceLocks}.
 */
public final class CatalogRows {

    /** Template name of a module whose tables were imported from a legacy database rather than made from a template. */
    public static final String NO_TEMPLATE = "(imported)";

    private final DSLContext shared;
    private final DialectStrategy strategy;
    /** {@link #insertIfAbsent}'s SQL, rendered on its first use: the same for every row of this database. */
    private volatile String insertIfAbsentSql;

    /**
     * @param shared   the unmapped context on the database
     * @param strategy what the database's dialect does differently (row locks)
     */
    public CatalogRows(DSLContext shared, DialectStrategy strategy) {
        this.shared = shared;
        this.strategy = strategy;
    }

    /**
     * @param r a catalog row
     * @return the namespace it describes
     */
    public static NamespaceInfo info(FoundupsdbNamespacesRecord r) {
        return new NamespaceInfo(NamespaceKind.fromCatalogValue(r.getKind()), r.getName(), r.getTemplate(),
                r.getTablePrefix(), NamespaceState.fromCatalogValue(r.getState()), r.getTemplateVersion(),
                r.getCreatedAt(), r.getUpdatedAt(), r.getLastError());
    }

    /** The catalog keeps milliseconds; so do the values handed back without a round trip. */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The catalog entry of a name, dropped ones included, if the name was ever created. */
    Optional<NamespaceInfo> find(NamespaceKind kind, String name) {
        return byName(shared, kind, name).fetchOptional().map(CatalogRows::info);
    }

    /** Every namespace in the catalog, dropped ones included, by kind and name. */
    List<NamespaceInfo> list() {
        return shared.selectFrom(FOUNDUPSDB_NAMESPACES)
                .orderBy(FOUNDUPSDB_NAMESPACES.KIND, FOUNDUPSDB_NAMESPACES.NAME)
                .fetch(CatalogRows::info);
    }

    /** A row that the caller's transaction knows exists, read without a lock. */
    static FoundupsdbNamespacesRecord row(DSLContext tx, NamespaceKind kind, String name) {
        return byName(tx, kind, name).fetchSingle();
    }

    /** A row, or null, locked for the rest of the caller's transaction (rule 3 of {@link NamespaceLocks}). */
    FoundupsdbNamespacesRecord lockedRow(DSLContext tx, NamespaceKind kind, String name) {
        return strategy.fetchLocked(byName(tx, kind, name));
    }

    /**
     * Inserts a row as it is given, times and state included (a copy keeps the source's history).
     *
     * @param tx  the caller's transaction
     * @param row the namespace; its kind and name must be new to the catalog
     */
    public void insert(DSLContext tx, NamespaceInfo row) {
        insertStep(tx, row).execute();
    }

    /**
     * Inserts a row unless its kind and name have one already; returns whether it did. Every new namespace runs it,
     * so it runs on plain JDBC with SQL rendered once per database: through jOOQ, rendering and binding it cost more
     * than SQLite's own work for it. The SQL comes from the generated table; the values are bound.
     */
    boolean insertIfAbsent(DSLContext tx, NamespaceInfo row) {
        String sql = insertIfAbsentSql;
        if (sql == null) {
            var f = FOUNDUPSDB_NAMESPACES;
            sql = tx.render(tx.insertInto(f, f.KIND, f.NAME, f.TEMPLATE, f.TABLE_PREFIX, f.STATE, f.TEMPLATE_VERSION,
                            f.CREATED_AT, f.UPDATED_AT, f.LAST_ERROR)
                    .values(DSL.param("kind", f.KIND), DSL.param("name", f.NAME), DSL.param("template", f.TEMPLATE),
                            DSL.param("prefix", f.TABLE_PREFIX), DSL.param("state", f.STATE),
                            DSL.param("version", f.TEMPLATE_VERSION), DSL.param("created", f.CREATED_AT),
                            DSL.param("updated", f.UPDATED_AT), DSL.param("error", f.LAST_ERROR))
                    .onConflict(f.KIND, f.NAME).doNothing());
            insertIfAbsentSql = sql;
        }
        String insert = sql;
        return tx.connectionResult(connection -> {
            try (PreparedStatement ps = connection.prepareStatement(insert)) {
                ps.setString(1, row.kind().catalogValue());
                ps.setString(2, row.name());
                ps.setString(3, row.template());
                ps.setString(4, row.tablePrefix());
                ps.setString(5, row.state().catalogValue());
                ps.setInt(6, row.templateVersion());
                strategy.setInstant(ps, 7, row.createdAt());
                strategy.setInstant(ps, 8, row.updatedAt());
                if (row.lastError() == null) {
                    ps.setNull(9, Types.VARCHAR);
                } else {
                    ps.setString(9, row.lastError());
                }
                return ps.executeUpdate() > 0;
            }
        });
    }

    /**
     * Registers a module whose tables come from elsewhere (a legacy import), inside the caller's transaction. A
     * module that exists already, from its template or an earlier import, is left as it is.
     *
     * @param tx   the caller's transaction
     * @param name the module name, already validated
     * @return the module's table prefix
     */
    public String registerImportedModule(DSLContext tx, String name) {
        String prefix = NamespaceName.tablePrefix(NamespaceKind.MODULE, name);
        Instant now = now();
        insertIfAbsent(tx, new NamespaceInfo(NamespaceKind.MODULE, name, NO_TEMPLATE, prefix, NamespaceState.READY,
                0, now, now, null));
        return prefix;
    }

    /**
     * Gives a row the times and last error of the same namespace in another database.
     *
     * @param tx     the caller's transaction
     * @param source the namespace as the other database records it
     */
    public void keepHistory(DSLContext tx, NamespaceInfo source) {
        tx.update(FOUNDUPSDB_NAMESPACES)
                .set(FOUNDUPSDB_NAMESPACES.CREATED_AT, source.createdAt())
                .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, source.updatedAt())
                .set(FOUNDUPSDB_NAMESPACES.LAST_ERROR, source.lastError())
                .where(named(source.kind(), source.name()))
                .execute();
    }

    /** A dropped name created again: its row takes every value of the new namespace, like new. */
    static void recreate(DSLContext tx, long id, NamespaceInfo row) {
        tx.update(FOUNDUPSDB_NAMESPACES).set(values(row)).where(FOUNDUPSDB_NAMESPACES.ID.eq(id)).execute();
    }

    /** A row after its namespace's tables were renamed: the new name and prefix, the rest kept. */
    static void rename(DSLContext tx, long id, String name, String prefix, Instant now) {
        tx.update(FOUNDUPSDB_NAMESPACES)
                .set(FOUNDUPSDB_NAMESPACES.NAME, name)
                .set(FOUNDUPSDB_NAMESPACES.TABLE_PREFIX, prefix)
                .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now)
                .where(FOUNDUPSDB_NAMESPACES.ID.eq(id))
                .execute();
    }

    /** A row after a successful upgrade: ready at the given version, its last error cleared. */
    static void markMigrated(DSLContext tx, long id, int version, Instant now) {
        tx.update(FOUNDUPSDB_NAMESPACES)
                .set(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION, version)
                .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceState.READY.catalogValue())
                .setNull(FOUNDUPSDB_NAMESPACES.LAST_ERROR)
                .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now)
                .where(FOUNDUPSDB_NAMESPACES.ID.eq(id))
                .execute();
    }

    /** Marks a namespace failed with its error, in a transaction of its own (the failed one was rolled back). */
    void markFailed(NamespaceKind kind, String name, String error) {
        shared.update(FOUNDUPSDB_NAMESPACES)
                .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceState.FAILED.catalogValue())
                .set(FOUNDUPSDB_NAMESPACES.LAST_ERROR, error)
                .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now())
                .where(named(kind, name))
                .execute();
    }

    /** Marks a namespace dropped, in the transaction that drops its tables. */
    static void markDropped(DSLContext tx, NamespaceKind kind, String name) {
        tx.update(FOUNDUPSDB_NAMESPACES)
                .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceState.DROPPED.catalogValue())
                .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now())
                .where(named(kind, name))
                .execute();
    }

    /** Forgets a row: a dropped namespace whose name a rename takes. */
    static void delete(DSLContext tx, long id) {
        tx.deleteFrom(FOUNDUPSDB_NAMESPACES).where(FOUNDUPSDB_NAMESPACES.ID.eq(id)).execute();
    }

    /** How many namespaces are not dropped. */
    int countLive() {
        return shared.fetchCount(FOUNDUPSDB_NAMESPACES, live());
    }

    /** A template that namespaces that are not dropped use. */
    record TemplateInUse(NamespaceKind kind, String template) {
    }

    /** The templates of the namespaces that are not dropped, imported ones ({@link #NO_TEMPLATE}) included. */
    List<TemplateInUse> templatesInUse() {
        return shared.selectDistinct(FOUNDUPSDB_NAMESPACES.KIND, FOUNDUPSDB_NAMESPACES.TEMPLATE)
                .from(FOUNDUPSDB_NAMESPACES)
                .where(live())
                .fetch(r -> new TemplateInUse(NamespaceKind.fromCatalogValue(r.value1()), r.value2()));
    }

    /** The highest version applied to a namespace of a template, or null when none uses it. */
    Integer newestVersion(Template template) {
        return shared.select(DSL.max(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION))
                .from(FOUNDUPSDB_NAMESPACES).where(ofTemplate(template)).fetchOne().value1();
    }

    /** The namespaces of a template behind its version, or failed, in creation order. */
    List<NamespaceInfo> behind(Template template) {
        return shared.selectFrom(FOUNDUPSDB_NAMESPACES)
                .where(ofTemplate(template))
                .and(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION.lt(template.version())
                        .or(FOUNDUPSDB_NAMESPACES.STATE.eq(NamespaceState.FAILED.catalogValue())))
                .orderBy(FOUNDUPSDB_NAMESPACES.ID)
                .fetch(CatalogRows::info);
    }

    /**
     * Names the namespace whose prefix a physical name starts with (there can be only one owner), for an error
     * message.
     *
     * @param physical a table's or other object's name
     * @param what     what it is: table, index, ...
     * @return {@code " and belongs to ..."}, or empty when no namespace owns it
     */
    String owner(String physical, String what) {
        List<String> prefixes = new ArrayList<>();
        for (int i = physical.indexOf('_'); i > 0; i = physical.indexOf('_', i + 1)) {
            prefixes.add(physical.substring(0, i + 1));
        }
        return shared.selectFrom(FOUNDUPSDB_NAMESPACES)
                .where(FOUNDUPSDB_NAMESPACES.TABLE_PREFIX.in(prefixes))
                .and(live())
                .fetchOptional()
                .map(r -> " and belongs to " + NamespaceKind.fromCatalogValue(r.getKind()).describeName() + " '"
                        + r.getName() + "' (its " + what + " " + physical.substring(r.getTablePrefix().length()) + ")")
                .orElse("");
    }

    private static SelectConditionStep<FoundupsdbNamespacesRecord> byName(DSLContext dsl, NamespaceKind kind,
                                                                         String name) {
        return dsl.selectFrom(FOUNDUPSDB_NAMESPACES).where(named(kind, name));
    }

    private static InsertSetMoreStep<FoundupsdbNamespacesRecord> insertStep(DSLContext tx, NamespaceInfo row) {
        return tx.insertInto(FOUNDUPSDB_NAMESPACES).set(values(row));
    }

    /** Every column of a row but its id, all marked changed: what an insert or a full update writes. */
    private static FoundupsdbNamespacesRecord values(NamespaceInfo row) {
        return new FoundupsdbNamespacesRecord()
                .setKind(row.kind().catalogValue())
                .setName(row.name())
                .setTemplate(row.template())
                .setTablePrefix(row.tablePrefix())
                .setState(row.state().catalogValue())
                .setTemplateVersion(row.templateVersion())
                .setCreatedAt(row.createdAt())
                .setUpdatedAt(row.updatedAt())
                .setLastError(row.lastError());
    }

    private static Condition named(NamespaceKind kind, String name) {
        return FOUNDUPSDB_NAMESPACES.KIND.eq(kind.catalogValue()).and(FOUNDUPSDB_NAMESPACES.NAME.eq(name));
    }

    private static Condition live() {
        return FOUNDUPSDB_NAMESPACES.STATE.ne(NamespaceState.DROPPED.catalogValue());
    }

    private static Condition ofTemplate(Template template) {
        return FOUNDUPSDB_NAMESPACES.KIND.eq(template.kind().catalogValue())
                .and(FOUNDUPSDB_NAMESPACES.TEMPLATE.eq(template.name()))
                .and(live());
    }
}
