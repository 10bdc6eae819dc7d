package dev.foundups.db.namespaces;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACE_CHANGES;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.jooq.tables.records.FoundupsdbNamespacesRecord;
import dev.foundups.db.naming.NamespaceKind;
import dev.foundups.db.naming.NamespaceName;
import dev.foundups.db.naming.TableNamer;

/**
 * The catalog of module and FoundUp namespaces: creates them from their templates, brings them up to date, and
 * hands out one long-lived, table-mapped {@link DSLContext} per namespace.
 *
 * <p>A namespace is created in one transaction: its catalog row, its tables and its change history commit together
 * or not at all (both SQLite and PostgreSQL have transactional DDL), so a crash half-way leaves nothing behind
 * that blocks a retry.
 */
public final class Namespaces {

    private static final Logger LOG = LoggerFactory.getLogger(Namespaces.class);

    private final DSLContext shared;
    private final TemplateRegistry templates;
    private final Map<String, DSLContext> contexts = new ConcurrentHashMap<>();
    private final Object createLock = new Object();

    /**
     * @param shared    the unmapped context on the database (its settings are the base of every namespace's)
     * @param templates the templates, rendered for the database's dialect
     */
    public Namespaces(DSLContext shared, TemplateRegistry templates) {
        this.shared = shared;
        this.templates = templates;
    }

    /**
     * The context of a namespace, creating the namespace from its template on first use.
     *
     * @param kind     module or FoundUp
     * @param name     the module name or FoundUp id; checked against the naming rule
     * @param template the template's name
     * @return a context whose generated template tables render as this namespace's tables; cached
     * @throws FoundupsDbException INVALID_NAME for a bad name, NAME_CONFLICT when a table it needs belongs to
     *                             another namespace, MIGRATION when the namespace is marked failed
     */
    public DSLContext context(NamespaceKind kind, String name, String template) {
        String key = kind.catalogValue() + ":" + name;
        DSLContext cached = contexts.get(key);
        if (cached != null) {
            return cached;
        }
        Template t = templates.require(kind, template);
        NamespaceName.validate(kind, name, t.maxNameLength());
        synchronized (createLock) {
            cached = contexts.get(key);
            if (cached != null) {
                return cached;
            }
            String prefix = NamespaceName.tablePrefix(kind, name);
            ensureCreated(kind, name, t, prefix);
            Settings settings = TableNamer.mapped(shared.settings(), t.tableMapping(prefix));
            DSLContext context = DSL.using(shared.configuration().derive(settings));
            contexts.put(key, context);
            return context;
        }
    }

    /**
     * Looks a namespace up in the catalog.
     *
     * @param kind module or FoundUp
     * @param name its name
     * @return the catalog entry, if the namespace exists
     */
    public Optional<NamespaceInfo> find(NamespaceKind kind, String name) {
        return Optional.ofNullable(shared.selectFrom(FOUNDUPSDB_NAMESPACES)
                        .where(FOUNDUPSDB_NAMESPACES.KIND.eq(kind.catalogValue()))
                        .and(FOUNDUPSDB_NAMESPACES.NAME.eq(name))
                        .fetchOne())
                .map(Namespaces::info);
    }

    /** @return every namespace in the catalog, by kind and name */
    public List<NamespaceInfo> list() {
        return shared.selectFrom(FOUNDUPSDB_NAMESPACES)
                .orderBy(FOUNDUPSDB_NAMESPACES.KIND, FOUNDUPSDB_NAMESPACES.NAME)
                .fetch(Namespaces::info);
    }

    private void ensureCreated(NamespaceKind kind, String name, Template template, String prefix) {
        for (int attempt = 1; ; attempt++) {
            try {
                shared.transaction(tx -> create(tx, kind, name, template, prefix));
                return;
            } catch (IntegrityConstraintViolationException e) {
                // Another process created it between our check and our insert: use theirs.
                if (attempt >= 2 || find(kind, name).isEmpty()) {
                    throw e;
                }
            }
        }
    }

    private void create(Configuration tx, NamespaceKind kind, String name, Template template, String prefix) {
        DSLContext dsl = tx.dsl();
        FoundupsdbNamespacesRecord existing = dsl.selectFrom(FOUNDUPSDB_NAMESPACES)
                .where(FOUNDUPSDB_NAMESPACES.KIND.eq(kind.catalogValue()))
                .and(FOUNDUPSDB_NAMESPACES.NAME.eq(name))
                .fetchOne();
        if (existing != null) {
            if (NamespaceInfo.FAILED.equals(existing.getState())) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, kind.describeName() + " '" + name + "' is marked "
                        + "failed because a template change could not be applied (" + existing.getLastError()
                        + "); fix the cause and open the database again to retry");
            }
            return;
        }
        dsl.connection(connection -> checkTablesFree(dsl, connection, kind, name, template, prefix));
        Instant now = Instant.now();
        long id = dsl.insertInto(FOUNDUPSDB_NAMESPACES)
                .set(FOUNDUPSDB_NAMESPACES.KIND, kind.catalogValue())
                .set(FOUNDUPSDB_NAMESPACES.NAME, name)
                .set(FOUNDUPSDB_NAMESPACES.TEMPLATE, template.name())
                .set(FOUNDUPSDB_NAMESPACES.TABLE_PREFIX, prefix)
                .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceInfo.READY)
                .set(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION, template.version())
                .set(FOUNDUPSDB_NAMESPACES.CREATED_AT, now)
                .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now)
                .returningResult(FOUNDUPSDB_NAMESPACES.ID)
                .fetchSingle()
                .value1();
        apply(dsl, id, template, 0, prefix, now);
        LOG.debug("Created {} '{}' from template '{}' at version {}", kind.catalogValue(), name, template.name(),
                template.version());
    }

    /** Runs a template's changes from position {@code from} and records them; inside the caller's transaction. */
    private static void apply(DSLContext dsl, long namespaceId, Template template, int from, String prefix,
                              Instant now) {
        List<Template.Change> changes = template.changes();
        dsl.connection(connection -> {
            try (Statement statement = connection.createStatement()) {
                for (Template.Change change : changes.subList(from, changes.size())) {
                    for (String sql : Template.forPrefix(change, prefix)) {
                        statement.execute(sql);
                    }
                }
            }
        });
        for (Template.Change change : changes.subList(from, changes.size())) {
            dsl.insertInto(FOUNDUPSDB_NAMESPACE_CHANGES)
                    .set(FOUNDUPSDB_NAMESPACE_CHANGES.NAMESPACE_ID, namespaceId)
                    .set(FOUNDUPSDB_NAMESPACE_CHANGES.SEQ, change.seq())
                    .set(FOUNDUPSDB_NAMESPACE_CHANGES.CHANGESET, change.id())
                    .set(FOUNDUPSDB_NAMESPACE_CHANGES.CHECKSUM, change.checksum())
                    .set(FOUNDUPSDB_NAMESPACE_CHANGES.APPLIED_AT, now)
                    .execute();
        }
    }

    /**
     * Refuses a namespace whose tables would land on existing ones. With underscores allowed in both names and
     * table names, FoundUp {@code a} with table {@code b_users} and FoundUp {@code a_b} with table {@code users}
     * would share {@code foundups_a_b_users}; this check names the owner instead of failing on CREATE TABLE.
     */
    private static void checkTablesFree(DSLContext dsl, Connection connection, NamespaceKind kind, String name,
                                        Template template, String prefix) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        String escape = meta.getSearchStringEscape();
        for (String table : template.tables()) {
            String physical = prefix + table;
            String pattern = escape == null ? physical : physical.replace("_", escape + "_");
            boolean exists = false;
            try (ResultSet rs = meta.getTables(null, null, pattern, new String[] {"TABLE"})) {
                while (rs.next()) {
                    exists |= physical.equalsIgnoreCase(rs.getString("TABLE_NAME"));
                }
            }
            if (exists) {
                throw new FoundupsDbException(ErrorCode.NAME_CONFLICT, kind.describeName() + " '" + name
                        + "' cannot be created: its table " + physical + " already exists" + owner(dsl, physical)
                        + ". Choose another name");
            }
        }
    }

    private static String owner(DSLContext dsl, String physical) {
        List<String> prefixes = new ArrayList<>();
        for (int i = physical.indexOf('_'); i > 0; i = physical.indexOf('_', i + 1)) {
            prefixes.add(physical.substring(0, i + 1));
        }
        return dsl.selectFrom(FOUNDUPSDB_NAMESPACES)
                .where(FOUNDUPSDB_NAMESPACES.TABLE_PREFIX.in(prefixes))
                .fetchOptional()
                .map(r -> " and belongs to " + NamespaceKind.fromCatalogValue(r.getKind()).describeName() + " '"
                        + r.getName() + "' (its table " + physical.substring(r.getTablePrefix().length()) + ")")
                .orElse("");
    }

    /**
     * Applies pending template changes to every namespace, each in its own transaction. A namespace that fails is
     * marked failed with its error, and the others go on.
     *
     * @return what was done
     * @throws FoundupsDbException (MIGRATION) when an applied changeset was edited or removed since
     */
    public UpgradeReport upgradeAll() {
        List<FoundupsdbNamespacesRecord> rows = shared.selectFrom(FOUNDUPSDB_NAMESPACES).fetch();
        Map<String, Template> byTemplate = new HashMap<>();
        for (FoundupsdbNamespacesRecord row : rows) {
            NamespaceKind kind = NamespaceKind.fromCatalogValue(row.getKind());
            String key = kind + ":" + row.getTemplate();
            if (!byTemplate.containsKey(key)) {
                Optional<Template> template = templates.find(kind, row.getTemplate());
                template.ifPresent(t -> verifyChecksums(kind, t));
                byTemplate.put(key, template.orElse(null));
            }
        }
        int upgraded = 0;
        Map<String, String> failed = new LinkedHashMap<>();
        for (FoundupsdbNamespacesRecord row : rows) {
            NamespaceKind kind = NamespaceKind.fromCatalogValue(row.getKind());
            Template template = byTemplate.get(kind + ":" + row.getTemplate());
            String label = row.getKind() + ":" + row.getName();
            if (template == null) {
                LOG.warn("{} uses template '{}', which is not on the class path; left as it is", label,
                        row.getTemplate());
                continue;
            }
            int version = row.getTemplateVersion();
            if (version > template.version()) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, label + " has " + version + " changesets of "
                        + "template '" + template.name() + "' applied, but the template now has only "
                        + template.version() + ": changeset files must never be removed");
            }
            if (version == template.version() && NamespaceInfo.READY.equals(row.getState())) {
                continue;
            }
            try {
                shared.transaction(tx -> {
                    Instant now = Instant.now();
                    apply(tx.dsl(), row.getId(), template, version, row.getTablePrefix(), now);
                    tx.dsl().update(FOUNDUPSDB_NAMESPACES)
                            .set(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION, template.version())
                            .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceInfo.READY)
                            .setNull(FOUNDUPSDB_NAMESPACES.LAST_ERROR)
                            .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now)
                            .where(FOUNDUPSDB_NAMESPACES.ID.eq(row.getId()))
                            .execute();
                });
                upgraded++;
            } catch (DataAccessException | FoundupsDbException e) {
                String message = String.valueOf(e.getMessage());
                failed.put(label, message);
                LOG.warn("Template change failed for {}: {}", label, message);
                shared.update(FOUNDUPSDB_NAMESPACES)
                        .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceInfo.FAILED)
                        .set(FOUNDUPSDB_NAMESPACES.LAST_ERROR, message)
                        .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, Instant.now())
                        .where(FOUNDUPSDB_NAMESPACES.ID.eq(row.getId()))
                        .execute();
            }
        }
        return new UpgradeReport(rows.size(), upgraded, failed);
    }

    /** An applied changeset whose file was edited since would leave namespaces that differ: refuse to start. */
    private void verifyChecksums(NamespaceKind kind, Template template) {
        var applied = shared.selectDistinct(FOUNDUPSDB_NAMESPACE_CHANGES.SEQ, FOUNDUPSDB_NAMESPACE_CHANGES.CHECKSUM,
                        FOUNDUPSDB_NAMESPACE_CHANGES.CHANGESET)
                .from(FOUNDUPSDB_NAMESPACE_CHANGES)
                .join(FOUNDUPSDB_NAMESPACES).on(FOUNDUPSDB_NAMESPACES.ID.eq(FOUNDUPSDB_NAMESPACE_CHANGES.NAMESPACE_ID))
                .where(FOUNDUPSDB_NAMESPACES.KIND.eq(kind.catalogValue()))
                .and(FOUNDUPSDB_NAMESPACES.TEMPLATE.eq(template.name()))
                .fetch();
        for (var row : applied) {
            int seq = row.value1();
            if (seq > template.version()) {
                continue;
            }
            Template.Change change = template.changes().get(seq - 1);
            if (!change.checksum().equals(row.value2()) || !change.id().equals(row.value3())) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, "changeset " + row.value3() + " of the "
                        + kind.catalogValue() + " template '" + template.name() + "' was applied to namespaces, and "
                        + "the template's changeset " + seq + " is now " + change.id() + " with a different content "
                        + "(checksum " + row.value2() + " -> " + change.checksum() + "). Applied changesets must not "
                        + "change: undo the edit and add a new changeset file instead");
            }
        }
    }

    private static NamespaceInfo info(FoundupsdbNamespacesRecord r) {
        return new NamespaceInfo(NamespaceKind.fromCatalogValue(r.getKind()), r.getName(), r.getTemplate(),
                r.getTablePrefix(), r.getState(), r.getTemplateVersion(), r.getCreatedAt(), r.getLastError());
    }
}
