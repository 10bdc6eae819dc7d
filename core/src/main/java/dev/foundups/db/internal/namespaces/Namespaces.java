package dev.foundups.db.internal.namespaces;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_TEMPLATE_CHANGES;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import org.jooq.Condition;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.foundups.db.DatabaseListener;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.MigrationListener;
import dev.foundups.db.MigrationReport;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.jooq.tables.records.FoundupsdbNamespacesRecord;
import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.naming.NamespaceName;
import dev.foundups.db.internal.naming.TableNamer;
import dev.foundups.db.internal.sqlite.WriteDiscipline;

/**
 * The catalog of module and FoundUp namespaces: creates them from their templates, drops them, brings them up to
 * date, and hands out one long-lived, table-mapped {@link DSLContext} per namespace.
 *
 * <p>Every change to one namespace is one transaction: its catalog row, its DDL and its change history commit
 * together or not at all (SQLite and PostgreSQL both have transactional DDL). A crash half-way leaves the
 * namespace as it was before, and the next call completes the work.
 */
public final class Namespaces {

    private static final Logger LOG = LoggerFactory.getLogger(Namespaces.class);

    /** Template name of a module whose tables were imported from a legacy database rather than made from a template. */
    public static final String NO_TEMPLATE = "(imported)";

    private final DSLContext shared;
    private final TemplateRegistry templates;
    private final int parallelism;
    private final boolean postgres;
    private final Map<String, DSLContext> contexts = new ConcurrentHashMap<>();
    /** Templates (kind:name:version) whose changesets this process has checked against the database. */
    private final Set<String> recorded = ConcurrentHashMap.newKeySet();
    /** Creation of one name is serialised in the JVM; different names only share a stripe. */
    private final Object[] stripes = new Object[64];

    /**
     * @param shared      the unmapped context on the database (its settings are the base of every namespace's)
     * @param templates   the templates, rendered for the database's dialect
     * @param parallelism how many connections bulk work may use at once on PostgreSQL (SQLite has one writer)
     */
    /** Whether this process has created a namespace: then looking one up before creating it is not worth a read. */
    private volatile boolean provisionedHere;

    public Namespaces(DSLContext shared, TemplateRegistry templates, int parallelism) {
        this.shared = shared;
        this.templates = templates;
        this.postgres = shared.dialect().family() == SQLDialect.POSTGRES;
        this.parallelism = postgres ? Math.max(1, parallelism) : 1;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
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
        DSLContext cached = contexts.get(key(kind, name));
        if (cached != null) {
            return cached;
        }
        Template t = templates.require(kind, template);
        NamespaceName.validate(kind, name, t.maxNameLength());
        ensureRecorded(t);
        synchronized (stripe(kind, name)) {
            cached = contexts.get(key(kind, name));
            if (cached != null) {
                return cached;
            }
            // Look before creating: an existing namespace costs one read, not a write transaction (on SQLite the
            // write lock, and the first write's connection). Except on SQLite once this process writes: a read
            // there takes a reader connection, which re-parses the whole schema after each namespace's DDL, while
            // the insert-or-find of provision runs on the writer's connection, whose schema is current.
            // On PostgreSQL likewise once this process has created a namespace: the look-up is one more round trip
            // before each new one.
            boolean writing = WriteDiscipline.of(shared.configuration()).map(WriteDiscipline::writerOpen)
                    .orElse(provisionedHere);
            NamespaceInfo info = (writing ? Optional.<NamespaceInfo>empty() : find(kind, name))
                    .filter(n -> n.state() != NamespaceState.DROPPED)
                    .orElseGet(() -> provision(kind, name, t, false));
            if (info.state() == NamespaceState.FAILED) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, kind.describeName() + " '" + name + "' is marked "
                        + "failed because a template change could not be applied (" + info.lastError() + "); fix the "
                        + "cause and run the migration again");
            }
            Settings settings = TableNamer.mapped(shared.settings(), t.tableMapping(info.tablePrefix()));
            DSLContext context = DSL.using(shared.configuration().derive(settings));
            contexts.put(key(kind, name), context);
            return context;
        }
    }

    /**
     * Creates a namespace that must not exist yet.
     *
     * @param kind     module or FoundUp
     * @param name     its name
     * @param template its template
     * @return the new namespace
     * @throws FoundupsDbException NAME_CONFLICT when it exists already or its tables are taken, INVALID_NAME
     */
    public NamespaceInfo create(NamespaceKind kind, String name, String template) {
        Template t = templates.require(kind, template);
        NamespaceName.validate(kind, name, t.maxNameLength());
        ensureRecorded(t);
        synchronized (stripe(kind, name)) {
            NamespaceInfo created = provision(kind, name, t, true);
            makeDurable();
            return created;
        }
    }

    /**
     * Creates many namespaces of one template, each in its own transaction; on PostgreSQL several at once.
     * Existing ones are left as they are.
     *
     * @param kind     module or FoundUp
     * @param names    the names; all are validated before anything is created
     * @param template their template
     * @return the namespaces, in the order of {@code names}
     * @throws FoundupsDbException INVALID_NAME before anything is created; the first creation error otherwise
     */
    public List<NamespaceInfo> createAll(NamespaceKind kind, Collection<String> names, String template) {
        Template t = templates.require(kind, template);
        List<String> list = List.copyOf(names);
        for (String name : list) {
            NamespaceName.validate(kind, name, t.maxNameLength());
        }
        ensureRecorded(t);
        List<NamespaceInfo> created = inParallel(list, name -> {
            synchronized (stripe(kind, name)) {
                return provision(kind, name, t, false);
            }
        });
        makeDurable();
        return created;
    }

    /**
     * Drops a namespace: its tables go, and its catalog row says dropped.
     *
     * @param kind module or FoundUp
     * @param name its name
     * @return the namespace as it was
     * @throws FoundupsDbException INVALID_INPUT when there is no such namespace
     */
    public NamespaceInfo drop(NamespaceKind kind, String name) {
        synchronized (stripe(kind, name)) {
            NamespaceInfo info = find(kind, name).filter(n -> n.state() != NamespaceState.DROPPED)
                    .orElseThrow(() -> new FoundupsDbException(ErrorCode.INVALID_INPUT, "there is no "
                            + kind.describeName() + " '" + name + "' to drop"));
            Template t = templates.require(kind, info.template());
            contexts.remove(key(kind, name));
            shared.transaction(tx -> {
                List<String> tables = new ArrayList<>(t.tables());
                // Newest first, so that tables referencing older ones go before them.
                for (int i = tables.size() - 1; i >= 0; i--) {
                    tx.dsl().dropTableIfExists(DSL.name(info.tablePrefix() + tables.get(i))).execute();
                }
                tx.dsl().update(FOUNDUPSDB_NAMESPACES)
                        .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceState.DROPPED.catalogValue())
                        .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now())
                        .where(FOUNDUPSDB_NAMESPACES.KIND.eq(kind.catalogValue()))
                        .and(FOUNDUPSDB_NAMESPACES.NAME.eq(name))
                        .execute();
            });
            return info;
        }
    }

    /**
     * Renames a namespace: its tables and every object that hangs off them move to the new name's prefix, and its
     * catalog row takes the new name and prefix (keeping its history: template version, creation time), all in one
     * transaction. A dropped namespace of the new name is forgotten: its catalog row is replaced.
     *
     * <p>This process's cached context of the old name is evicted. Another process that holds a context for the old
     * name gets errors on its next query (the tables are gone), and one that asks for the old name again creates a
     * new, empty namespace.
     *
     * @param kind module or FoundUp
     * @param from its name
     * @param to   its new name
     * @param lock takes the migration lock, held while renaming so that no other process changes the schema
     * @return the renamed namespace
     * @throws FoundupsDbException INVALID_NAME for a bad new name; INVALID_INPUT when {@code from} does not exist
     *                             or equals {@code to}; NAME_CONFLICT when {@code to} exists or one of the new
     *                             names is taken; MIGRATION when {@code from} is not ready at its template's
     *                             current version, or the rename fails (nothing is changed then)
     */
    public NamespaceInfo rename(NamespaceKind kind, String from, String to, Supplier<MigrationLock> lock) {
        Optional<NamespaceInfo> before = find(kind, from).filter(n -> n.state() != NamespaceState.DROPPED);
        String template = before.map(NamespaceInfo::template).orElse(null);
        if (template == null || NO_TEMPLATE.equals(template)) {
            throw new FoundupsDbException(ErrorCode.INVALID_INPUT, "there is no " + kind.describeName() + " '" + from
                    + "' to rename" + (template == null ? "" : ": its tables were imported, not made from a template"));
        }
        Template t = templates.require(kind, template);
        NamespaceName.validate(kind, to, t.maxNameLength());
        if (from.equals(to)) {
            throw new FoundupsDbException(ErrorCode.INVALID_INPUT, kind.describeName() + " '" + from + "' cannot be "
                    + "renamed to itself");
        }
        ensureRecorded(t);
        String newPrefix = NamespaceName.tablePrefix(kind, to);
        PrefixRename objects = new PrefixRename(postgres, List.copyOf(t.tables()), before.get().tablePrefix(),
                newPrefix);
        // Both names' stripes, always in the same order: no context of either name is made or cached meanwhile.
        int a = stripeIndex(kind, from);
        int b = stripeIndex(kind, to);
        try (MigrationLock held = lock.get()) {
            synchronized (stripes[Math.min(a, b)]) {
                synchronized (stripes[Math.max(a, b)]) {
                    try {
                        return shared.transactionResult(tx -> renameIn(tx.dsl(), kind, from, to, t, objects));
                    } catch (DataAccessException e) {
                        throw renameFailure(kind, from, to, objects, e);
                    } finally {
                        contexts.remove(key(kind, from));
                        contexts.remove(key(kind, to));
                    }
                }
            }
        }
    }

    private NamespaceInfo renameIn(DSLContext dsl, NamespaceKind kind, String from, String to, Template template,
                                   PrefixRename objects) {
        // Read again in the transaction: another process may have dropped, migrated or created them meanwhile.
        FoundupsdbNamespacesRecord source = lockedRow(dsl, kind, from);
        if (source == null || NamespaceState.DROPPED.catalogValue().equals(source.getState())) {
            throw new FoundupsDbException(ErrorCode.INVALID_INPUT, "there is no " + kind.describeName() + " '" + from
                    + "' to rename");
        }
        NamespaceInfo info = info(source);
        if (info.state() != NamespaceState.READY || info.templateVersion() != template.version()) {
            throw new FoundupsDbException(ErrorCode.MIGRATION, kind.describeName() + " '" + from + "' cannot be "
                    + "renamed while it is " + (info.state() == NamespaceState.READY ? "" : info.state().catalogValue()
                    + " and ") + "at version " + info.templateVersion() + " of its template (current: "
                    + template.version() + "): run the migration first ('foundups-db migrate' or "
                    + "NamespaceCatalog.migrate()), then rename");
        }
        FoundupsdbNamespacesRecord target = lockedRow(dsl, kind, to);
        if (target != null) {
            if (!NamespaceState.DROPPED.catalogValue().equals(target.getState())) {
                throw new FoundupsDbException(ErrorCode.NAME_CONFLICT, kind.describeName() + " '" + from + "' cannot "
                        + "be renamed to '" + to + "': " + kind.describeName() + " '" + to + "' exists already. "
                        + "Choose another name, or drop '" + to + "' first");
            }
            dsl.deleteFrom(FOUNDUPSDB_NAMESPACES).where(FOUNDUPSDB_NAMESPACES.ID.eq(target.getId())).execute();
        }
        dsl.connection(objects::run);
        Instant now = now();
        String newPrefix = NamespaceName.tablePrefix(kind, to);
        dsl.update(FOUNDUPSDB_NAMESPACES)
                .set(FOUNDUPSDB_NAMESPACES.NAME, to)
                .set(FOUNDUPSDB_NAMESPACES.TABLE_PREFIX, newPrefix)
                .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now)
                .where(FOUNDUPSDB_NAMESPACES.ID.eq(source.getId()))
                .execute();
        LOG.debug("Renamed {} '{}' to '{}'", kind.catalogValue(), from, to);
        return new NamespaceInfo(kind, to, info.template(), newPrefix, info.state(), info.templateVersion(),
                info.createdAt(), now, info.lastError());
    }

    /** A catalog row, locked for the rest of the transaction (SQLite's IMMEDIATE transaction holds the file). */
    private static FoundupsdbNamespacesRecord lockedRow(DSLContext dsl, NamespaceKind kind, String name) {
        var select = dsl.selectFrom(FOUNDUPSDB_NAMESPACES)
                .where(FOUNDUPSDB_NAMESPACES.KIND.eq(kind.catalogValue()))
                .and(FOUNDUPSDB_NAMESPACES.NAME.eq(name));
        return dsl.dialect().family() == SQLDialect.SQLITE ? select.fetchOne() : select.forUpdate().fetchOne();
    }

    /** After a rename was rolled back: names the new name that was taken, and its owner, when that was the cause. */
    private FoundupsDbException renameFailure(NamespaceKind kind, String from, String to, PrefixRename objects,
                                              DataAccessException e) {
        String start = kind.describeName() + " '" + from + "' cannot be renamed to '" + to + "'";
        for (PrefixRename.Step step : objects.steps()) {
            if (!step.what().equals("constraint") && relationExists(step.to())) {
                return new FoundupsDbException(ErrorCode.NAME_CONFLICT, start + ": the name " + step.to() + " (for its "
                        + step.what() + " " + step.from() + ") is taken" + owner(step.to(), step.what())
                        + ". Nothing was changed; choose another name", e);
            }
        }
        return new FoundupsDbException(ErrorCode.MIGRATION, start + "; nothing was changed: " + e.getMessage(), e);
    }

    /** Whether a table, index, sequence, view or trigger of this name exists. */
    private boolean relationExists(String name) {
        String sql = postgres
                ? "SELECT count(*) FROM pg_class WHERE relname = ? AND relnamespace = current_schema()::regnamespace"
                : "SELECT count(*) FROM sqlite_master WHERE name = ? COLLATE NOCASE";
        try {
            return shared.fetchValue(sql, name) instanceof Number n && n.intValue() > 0;
        } catch (DataAccessException e) {
            return false;
        }
    }

    /**
     * @param kind module or FoundUp
     * @param name its name
     * @return the catalog entry, dropped ones included, if the name was ever created
     */
    public Optional<NamespaceInfo> find(NamespaceKind kind, String name) {
        return shared.selectFrom(FOUNDUPSDB_NAMESPACES)
                .where(FOUNDUPSDB_NAMESPACES.KIND.eq(kind.catalogValue()))
                .and(FOUNDUPSDB_NAMESPACES.NAME.eq(name))
                .fetchOptional()
                .map(Namespaces::info);
    }

    /** @return every namespace in the catalog, dropped ones included, by kind and name */
    public List<NamespaceInfo> list() {
        return shared.selectFrom(FOUNDUPSDB_NAMESPACES)
                .orderBy(FOUNDUPSDB_NAMESPACES.KIND, FOUNDUPSDB_NAMESPACES.NAME)
                .fetch(Namespaces::info);
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
        tx.insertInto(FOUNDUPSDB_NAMESPACES)
                .set(FOUNDUPSDB_NAMESPACES.KIND, NamespaceKind.MODULE.catalogValue())
                .set(FOUNDUPSDB_NAMESPACES.NAME, name)
                .set(FOUNDUPSDB_NAMESPACES.TEMPLATE, NO_TEMPLATE)
                .set(FOUNDUPSDB_NAMESPACES.TABLE_PREFIX, prefix)
                .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceState.READY.catalogValue())
                .set(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION, 0)
                .set(FOUNDUPSDB_NAMESPACES.CREATED_AT, now)
                .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now)
                .onConflict(FOUNDUPSDB_NAMESPACES.KIND, FOUNDUPSDB_NAMESPACES.NAME)
                .doNothing()
                .execute();
        return prefix;
    }

    /** @return the templates on the class path */
    public TemplateRegistry templates() {
        return templates;
    }

    /** @return the namespaces that a migration would change: behind their template, or failed */
    public List<NamespaceInfo> pending() {
        List<NamespaceInfo> result = new ArrayList<>();
        for (Plan plan : plans()) {
            result.addAll(plan.pending);
        }
        return result;
    }

    private NamespaceInfo provision(NamespaceKind kind, String name, Template template, boolean mustBeNew) {
        String prefix = NamespaceName.tablePrefix(kind, name);
        try {
            NamespaceInfo info = shared.transactionResult(tx -> create(tx, kind, name, template, prefix, mustBeNew));
            provisionedHere = true;
            return info;
        } catch (DataAccessException e) {
            Optional<NamespaceInfo> now = find(kind, name);
            if (!mustBeNew && now.isPresent() && now.get().state() == NamespaceState.READY) {
                return now.get(); // another process created it at the same moment: use theirs
            }
            String taken = takenTable(template, prefix);
            if (taken != null) {
                throw new FoundupsDbException(ErrorCode.NAME_CONFLICT, kind.describeName() + " '" + name + "' cannot "
                        + "be created: its table " + taken + " already exists" + owner(taken, "table")
                        + ". Choose another name", e);
            }
            throw new FoundupsDbException(ErrorCode.MIGRATION, "cannot create " + kind.describeName() + " '" + name
                    + "' from template '" + template.name() + "'; nothing was created: " + e.getMessage(), e);
        }
    }

    private NamespaceInfo create(Configuration tx, NamespaceKind kind, String name, Template template, String prefix,
                                 boolean mustBeNew) {
        long started = System.nanoTime();
        DSLContext dsl = tx.dsl();
        commitWithoutWaitingForDisk(dsl);
        Instant now = now();
        // Insert first and look only on a conflict: the common case, a new name, costs one statement.
        int inserted = dsl.insertInto(FOUNDUPSDB_NAMESPACES)
                .set(FOUNDUPSDB_NAMESPACES.KIND, kind.catalogValue())
                .set(FOUNDUPSDB_NAMESPACES.NAME, name)
                .set(FOUNDUPSDB_NAMESPACES.TEMPLATE, template.name())
                .set(FOUNDUPSDB_NAMESPACES.TABLE_PREFIX, prefix)
                .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceState.READY.catalogValue())
                .set(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION, template.version())
                .set(FOUNDUPSDB_NAMESPACES.CREATED_AT, now)
                .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now)
                .onConflict(FOUNDUPSDB_NAMESPACES.KIND, FOUNDUPSDB_NAMESPACES.NAME)
                .doNothing()
                .execute();
        if (inserted == 0) {
            FoundupsdbNamespacesRecord row = dsl.selectFrom(FOUNDUPSDB_NAMESPACES)
                    .where(FOUNDUPSDB_NAMESPACES.KIND.eq(kind.catalogValue()))
                    .and(FOUNDUPSDB_NAMESPACES.NAME.eq(name))
                    .fetchSingle();
            if (!NamespaceState.DROPPED.catalogValue().equals(row.getState())) {
                if (mustBeNew) {
                    throw new FoundupsDbException(ErrorCode.NAME_CONFLICT, kind.describeName() + " '" + name
                            + "' exists already");
                }
                return info(row);
            }
            // A dropped name created again: same row, like new.
            dsl.update(FOUNDUPSDB_NAMESPACES)
                    .set(FOUNDUPSDB_NAMESPACES.TEMPLATE, template.name())
                    .set(FOUNDUPSDB_NAMESPACES.TABLE_PREFIX, prefix)
                    .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceState.READY.catalogValue())
                    .set(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION, template.version())
                    .set(FOUNDUPSDB_NAMESPACES.CREATED_AT, now)
                    .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now)
                    .setNull(FOUNDUPSDB_NAMESPACES.LAST_ERROR)
                    .where(FOUNDUPSDB_NAMESPACES.ID.eq(row.getId()))
                    .execute();
        }
        apply(dsl, template, 0, prefix);
        LOG.debug("Created {} '{}' from template '{}' at version {}", kind.catalogValue(), name, template.name(),
                template.version());
        DatabaseListener.of(tx).namespaceCreated(kind, name, Duration.ofNanos(System.nanoTime() - started));
        return new NamespaceInfo(kind, name, template.name(), prefix, NamespaceState.READY, template.version(), now,
                now, null);
    }

    /** Runs a template's changes from position {@code from}, inside the caller's transaction. */
    private static void apply(DSLContext dsl, Template template, int from, String prefix) {
        List<Template.Change> changes = template.changes().subList(from, template.version());
        dsl.connection(connection -> {
            try (Statement statement = connection.createStatement()) {
                for (Template.Change change : changes) {
                    for (String sql : Template.forPrefix(change, prefix)) {
                        statement.execute(sql);
                    }
                }
            }
        });
    }

    /** After a failed creation: the first of the template's tables that exists under this prefix, if any. */
    private String takenTable(Template template, String prefix) {
        try {
            return shared.connectionResult(connection -> {
                DatabaseMetaData meta = connection.getMetaData();
                String escape = meta.getSearchStringEscape();
                for (String table : template.tables()) {
                    String physical = prefix + table;
                    String pattern = escape == null ? physical : physical.replace("_", escape + "_");
                    try (ResultSet rs = meta.getTables(null, null, pattern, new String[] {"TABLE"})) {
                        while (rs.next()) {
                            if (physical.equalsIgnoreCase(rs.getString("TABLE_NAME"))) {
                                return physical;
                            }
                        }
                    }
                }
                return null;
            });
        } catch (DataAccessException e) {
            return null;
        }
    }

    /** Names the namespace whose prefix a physical name starts with (there can be only one owner). */
    private String owner(String physical, String what) {
        List<String> prefixes = new ArrayList<>();
        for (int i = physical.indexOf('_'); i > 0; i = physical.indexOf('_', i + 1)) {
            prefixes.add(physical.substring(0, i + 1));
        }
        return shared.selectFrom(FOUNDUPSDB_NAMESPACES)
                .where(FOUNDUPSDB_NAMESPACES.TABLE_PREFIX.in(prefixes))
                .and(FOUNDUPSDB_NAMESPACES.STATE.ne(NamespaceState.DROPPED.catalogValue()))
                .fetchOptional()
                .map(r -> " and belongs to " + NamespaceKind.fromCatalogValue(r.getKind()).describeName() + " '"
                        + r.getName() + "' (its " + what + " " + physical.substring(r.getTablePrefix().length()) + ")")
                .orElse("");
    }

    /** The namespaces of one template that a migration must change. */
    private record Plan(Template template, List<NamespaceInfo> pending) {
    }

    /**
     * Finds the work, one query per template: namespaces whose version is behind, and failed ones. Up-to-date
     * namespaces are never loaded, which keeps a migration with nothing to do cheap at any count.
     */
    private List<Plan> plans() {
        List<Plan> plans = new ArrayList<>();
        var templatesInUse = shared.selectDistinct(FOUNDUPSDB_NAMESPACES.KIND, FOUNDUPSDB_NAMESPACES.TEMPLATE)
                .from(FOUNDUPSDB_NAMESPACES)
                .where(FOUNDUPSDB_NAMESPACES.STATE.ne(NamespaceState.DROPPED.catalogValue()))
                .fetch();
        for (var used : templatesInUse) {
            NamespaceKind kind = NamespaceKind.fromCatalogValue(used.value1());
            if (NO_TEMPLATE.equals(used.value2())) {
                continue; // imported tables: nothing to migrate
            }
            Optional<Template> found = templates.find(kind, used.value2());
            if (found.isEmpty()) {
                LOG.warn("Namespaces of {} template '{}' are left as they are: the template is not on the class path",
                        kind.catalogValue(), used.value2());
                continue;
            }
            Template template = found.get();
            ensureRecorded(template);
            Condition ofTemplate = FOUNDUPSDB_NAMESPACES.KIND.eq(kind.catalogValue())
                    .and(FOUNDUPSDB_NAMESPACES.TEMPLATE.eq(template.name()))
                    .and(FOUNDUPSDB_NAMESPACES.STATE.ne(NamespaceState.DROPPED.catalogValue()));
            Integer newest = shared.select(DSL.max(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION))
                    .from(FOUNDUPSDB_NAMESPACES).where(ofTemplate).fetchOne().value1();
            if (newest != null && newest > template.version()) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, "namespaces of the " + kind.catalogValue()
                        + " template '" + template.name() + "' have " + newest + " changesets applied, but the "
                        + "template now has only " + template.version() + ": changeset files must never be removed "
                        + "(or this process runs an older version of the schema than the database)");
            }
            List<NamespaceInfo> pending = shared.selectFrom(FOUNDUPSDB_NAMESPACES)
                    .where(ofTemplate)
                    .and(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION.lt(template.version())
                            .or(FOUNDUPSDB_NAMESPACES.STATE.eq(NamespaceState.FAILED.catalogValue())))
                    .orderBy(FOUNDUPSDB_NAMESPACES.ID)
                    .fetch(Namespaces::info);
            plans.add(new Plan(template, pending));
        }
        return plans;
    }

    /**
     * Applies pending template changes to every namespace, each in its own transaction; on PostgreSQL several at
     * once. A namespace that fails is marked failed with its error, and the others go on. The caller holds the
     * migration lock.
     *
     * @param listener told of progress
     * @return what was done
     * @throws FoundupsDbException (MIGRATION) when an applied changeset was edited or removed since
     */
    public MigrationReport migrate(MigrationListener listener) {
        long start = System.nanoTime();
        int checked = shared.fetchCount(FOUNDUPSDB_NAMESPACES,
                FOUNDUPSDB_NAMESPACES.STATE.ne(NamespaceState.DROPPED.catalogValue()));
        List<Plan> plans = plans();
        record Job(Template template, NamespaceInfo namespace) {
        }
        List<Job> jobs = new ArrayList<>();
        for (Plan plan : plans) {
            for (NamespaceInfo namespace : plan.pending) {
                jobs.add(new Job(plan.template, namespace));
            }
        }
        SerialListener serial = new SerialListener(listener);
        serial.started(jobs.size());
        Map<String, String> failed = new ConcurrentHashMap<>();
        List<Boolean> outcomes = inParallel(jobs, job -> {
            String error = upgrade(job.template, job.namespace);
            if (error == null) {
                serial.migrated(job.namespace, job.namespace.templateVersion(), job.template.version());
                return true;
            }
            failed.put(job.namespace.label(), error);
            serial.failed(job.namespace, error);
            return false;
        });
        if (!jobs.isEmpty()) {
            makeDurable(); // nothing was committed asynchronously when nothing was pending
        }
        int migrated = (int) outcomes.stream().filter(Boolean::booleanValue).count();
        MigrationReport report = new MigrationReport(checked, jobs.size(), migrated, new LinkedHashMap<>(failed),
                Duration.ofNanos(System.nanoTime() - start));
        serial.finished(report);
        DatabaseListener.of(shared.configuration()).migrationFinished(report);
        if (!failed.isEmpty()) {
            LOG.warn("{} namespace(s) could not be migrated and are marked failed: {}", failed.size(),
                    report.failedNamespaces());
        }
        return report;
    }

    /** Brings one namespace to its template's version; returns null, or the error after marking it failed. */
    private String upgrade(Template template, NamespaceInfo namespace) {
        synchronized (stripe(namespace.kind(), namespace.name())) {
            try {
                shared.transaction(tx -> {
                    DSLContext dsl = tx.dsl();
                    commitWithoutWaitingForDisk(dsl);
                    var select = dsl.select(FOUNDUPSDB_NAMESPACES.ID, FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION)
                            .from(FOUNDUPSDB_NAMESPACES)
                            .where(FOUNDUPSDB_NAMESPACES.KIND.eq(namespace.kind().catalogValue()))
                            .and(FOUNDUPSDB_NAMESPACES.NAME.eq(namespace.name()));
                    // Re-read under a lock: another process may have migrated it since the plan was made.
                    // (SQLite transactions here begin IMMEDIATE and hold the write lock already.)
                    var current = dsl.dialect().family() == SQLDialect.SQLITE ? select.fetchOne()
                            : select.forUpdate().fetchOne();
                    if (current == null) {
                        return;
                    }
                    int version = current.value2();
                    Instant now = now();
                    if (version >= template.version()) {
                        return; // another process got there first
                    }
                    apply(dsl, template, version, namespace.tablePrefix());
                    dsl.update(FOUNDUPSDB_NAMESPACES)
                            .set(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION, template.version())
                            .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceState.READY.catalogValue())
                            .setNull(FOUNDUPSDB_NAMESPACES.LAST_ERROR)
                            .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now)
                            .where(FOUNDUPSDB_NAMESPACES.ID.eq(current.value1()))
                            .execute();
                });
                return null;
            } catch (DataAccessException | FoundupsDbException e) {
                String error = String.valueOf(e.getMessage());
                shared.update(FOUNDUPSDB_NAMESPACES)
                        .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceState.FAILED.catalogValue())
                        .set(FOUNDUPSDB_NAMESPACES.LAST_ERROR, error)
                        .set(FOUNDUPSDB_NAMESPACES.UPDATED_AT, now())
                        .where(FOUNDUPSDB_NAMESPACES.KIND.eq(namespace.kind().catalogValue()))
                        .and(FOUNDUPSDB_NAMESPACES.NAME.eq(namespace.name()))
                        .execute();
                contexts.remove(key(namespace.kind(), namespace.name()));
                return error;
            }
        }
    }

    /**
     * Checks a template's changesets against the ones the database recorded for it, and records new ones. An
     * applied changeset whose file was edited since would leave namespaces that differ, and a database that has
     * changesets this release lacks was migrated by a newer release: both stop here with the reason. Done once per
     * template and process, so creating and migrating namespaces costs no per-namespace bookkeeping.
     */
    private void ensureRecorded(Template template) {
        NamespaceKind kind = template.kind();
        String key = kind.catalogValue() + ":" + template.name() + ":" + template.version();
        if (recorded.contains(key)) {
            return;
        }
        var known = shared.selectFrom(FOUNDUPSDB_TEMPLATE_CHANGES)
                .where(FOUNDUPSDB_TEMPLATE_CHANGES.KIND.eq(kind.catalogValue()))
                .and(FOUNDUPSDB_TEMPLATE_CHANGES.TEMPLATE.eq(template.name()))
                .orderBy(FOUNDUPSDB_TEMPLATE_CHANGES.SEQ)
                .fetch();
        for (var row : known) {
            int seq = row.getSeq();
            if (seq > template.version()) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, "the database has changeset " + seq + " ("
                        + row.getChangeset() + ") of the " + kind.catalogValue() + " template '" + template.name()
                        + "', which this release does not have: it was migrated by a newer release, or a changeset "
                        + "file was removed (changeset files must never be removed)");
            }
            Template.Change change = template.changes().get(seq - 1);
            if (!change.checksum().equals(row.getChecksum()) || !change.id().equals(row.getChangeset())) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, "changeset " + row.getChangeset() + " of the "
                        + kind.catalogValue() + " template '" + template.name() + "' was applied to namespaces, and "
                        + "the template's changeset " + seq + " is now " + change.id() + " with a different content "
                        + "(checksum " + row.getChecksum() + " -> " + change.checksum() + "). Applied changesets must "
                        + "not change: undo the edit and add a new changeset file instead");
            }
        }
        if (known.size() < template.version()) {
            var insert = shared.insertInto(FOUNDUPSDB_TEMPLATE_CHANGES, FOUNDUPSDB_TEMPLATE_CHANGES.KIND,
                    FOUNDUPSDB_TEMPLATE_CHANGES.TEMPLATE, FOUNDUPSDB_TEMPLATE_CHANGES.SEQ,
                    FOUNDUPSDB_TEMPLATE_CHANGES.CHANGESET, FOUNDUPSDB_TEMPLATE_CHANGES.CHECKSUM,
                    FOUNDUPSDB_TEMPLATE_CHANGES.RECORDED_AT);
            Instant now = now();
            for (Template.Change change : template.changes().subList(known.size(), template.version())) {
                insert = insert.values(kind.catalogValue(), template.name(), change.seq(), change.id(),
                        change.checksum(), now);
            }
            insert.onConflictDoNothing().execute(); // another process may record them at the same moment
        }
        recorded.add(key);
    }

    /**
     * On PostgreSQL, lets a namespace's create or migrate transaction commit without waiting for its WAL flush,
     * which otherwise dominates their cost. Safe because the work is idempotent and atomic: after a server crash a
     * lost creation or migration is simply not there (catalog and tables went together) and the next call redoes
     * it; and PostgreSQL's WAL is sequential, so the next synchronous commit of any session flushes it too.
     * SQLite in WAL mode with synchronous=NORMAL does not wait for the disk on commit anyway.
     */
    private void commitWithoutWaitingForDisk(DSLContext tx) {
        if (postgres) {
            tx.execute("SET LOCAL synchronous_commit TO OFF");
        }
    }

    /**
     * Waits until every earlier commit is on disk: a transaction with a transaction id, committed synchronously,
     * flushes the WAL up to its own commit record, and so every asynchronous commit before it.
     */
    private void makeDurable() {
        if (postgres) {
            shared.transaction(tx -> tx.dsl().fetchValue("SELECT txid_current()"));
        }
    }

    /** Runs work over items, on {@link #parallelism} threads; keeps order; rethrows the first failure. */
    private <I, O> List<O> inParallel(List<I> items, java.util.function.Function<I, O> work) {
        List<O> results = new ArrayList<>(items.size());
        if (parallelism == 1 || items.size() < 2) {
            for (I item : items) {
                results.add(work.apply(item));
            }
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, items.size()), r -> {
            Thread t = new Thread(r, "foundups-db-namespaces");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<O>> futures = new ArrayList<>(items.size());
            for (I item : items) {
                futures.add(pool.submit(() -> work.apply(item)));
            }
            for (Future<O> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FoundupsDbException(ErrorCode.MIGRATION, "interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The catalog keeps milliseconds; so do the values handed back without a round trip. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private Object stripe(NamespaceKind kind, String name) {
        return stripes[stripeIndex(kind, name)];
    }

    private int stripeIndex(NamespaceKind kind, String name) {
        return Math.floorMod(key(kind, name).hashCode(), stripes.length);
    }

    private static String key(NamespaceKind kind, String name) {
        return kind.catalogValue() + ":" + name;
    }

    static NamespaceInfo info(FoundupsdbNamespacesRecord r) {
        return new NamespaceInfo(NamespaceKind.fromCatalogValue(r.getKind()), r.getName(), r.getTemplate(),
                r.getTablePrefix(), NamespaceState.fromCatalogValue(r.getState()), r.getTemplateVersion(),
                r.getCreatedAt(), r.getUpdatedAt(), r.getLastError());
    }

    /** Serialises listener calls, which may come from several threads on PostgreSQL. */
    private record SerialListener(MigrationListener delegate) implements MigrationListener {
        @Override
        public synchronized void started(int pending) {
            delegate.started(pending);
        }

        @Override
        public synchronized void migrated(NamespaceInfo namespace, int fromVersion, int toVersion) {
            delegate.migrated(namespace, fromVersion, toVersion);
        }

        @Override
        public synchronized void failed(NamespaceInfo namespace, String error) {
            delegate.failed(namespace, error);
        }

        @Override
        public synchronized void finished(MigrationReport report) {
            delegate.finished(report);
        }
    }
}
