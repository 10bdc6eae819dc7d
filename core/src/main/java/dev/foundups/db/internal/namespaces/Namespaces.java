package dev.foundups.db.internal.namespaces;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.jooq.DSLContext;

import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.MigrationListener;
import dev.foundups.db.MigrationReport;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.migration.MigrationLock;

/**
 * The module and FoundUp namespaces of one database: creates them from their templates, drops and renames them,
 * brings them up to date, and hands out one long-lived, table-mapped {@link DSLContext} per namespace. The work is
 * done by one type per job ({@link CatalogRows}, {@link Provisioning}, {@link TemplateMigration},
 * {@link NamespaceRename}, {@link NamespaceContexts}), all under the lock rule of {@link NamespaceLocks}.
 *
 * <p>Every change to one namespace is one transaction: its catalog row, its DDL and its change history commit
 * together or not at all (SQLite and PostgreSQL both have transactional DDL). A crash half-way leaves the
 * namespace as it was before, and the next call completes the work.
 */
public final class Namespaces {

    private final TemplateRegistry templates;
    private final CatalogRows rows;
    private final NamespaceContexts contexts;
    private final Provisioning provisioning;
    private final TemplateMigration migration;
    private final NamespaceRename renames;

    /**
     * @param shared      the unmapped context on the database (its settings are the base of every namespace's)
     * @param strategy    what the database's dialect does differently
     * @param templates   the templates, rendered for the database's dialect
     * @param parallelism how many connections bulk work may use at once on PostgreSQL (SQLite has one writer)
     */
    public Namespaces(DSLContext shared, DialectStrategy strategy, TemplateRegistry templates, int parallelism) {
        this(shared, strategy, templates, parallelism, null, NamespaceContexts.DEFAULT_CAPACITY);
    }

    /**
     * The namespaces of one shard of a sharded database: as the other constructor, but every namespace context
     * borrows its connections where {@code connections} says.
     *
     * @param shared      the unmapped context on the shard
     * @param strategy    what the database's dialect does differently
     * @param templates   the templates, rendered for the database's dialect
     * @param parallelism how many connections bulk work may use at once
     * @param connections the provider of each namespace's context
     */
    public Namespaces(DSLContext shared, DialectStrategy strategy, TemplateRegistry templates, int parallelism,
                      ContextConnections connections) {
        this(shared, strategy, templates, parallelism, connections, NamespaceContexts.DEFAULT_CAPACITY);
    }

    /** As the public constructors, with the most namespace contexts kept at once. */
    Namespaces(DSLContext shared, DialectStrategy strategy, TemplateRegistry templates, int parallelism,
               ContextConnections connections, int contextCapacity) {
        this.templates = templates;
        this.rows = new CatalogRows(shared, strategy);
        NamespaceParts parts = new NamespaceParts(shared, strategy, templates, new TemplateChanges(shared), rows,
                new NamespaceLocks(), new BulkTransactions(shared, strategy, parallelism), connections);
        this.contexts = new NamespaceContexts(parts, contextCapacity);
        this.provisioning = new Provisioning(parts, contexts);
        this.migration = new TemplateMigration(parts, contexts);
        this.renames = new NamespaceRename(parts, contexts);
    }

    /**
     * How many connections bulk work over namespaces (migrating, creating) may use at once.
     *
     * @param configured the {@code migrationParallelism} setting, or 0 when not set
     * @param poolSize   the pool's size
     * @return the setting; by default up to 4, leaving two pooled connections free (one for the migration lock's
     *         own on PostgreSQL)
     */
    public static int parallelism(int configured, int poolSize) {
        return configured > 0 ? configured : Math.max(1, Math.min(4, poolSize - 2));
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
        return contexts.context(kind, name, template, provisioning);
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
        return provisioning.create(kind, name, template);
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
        return provisioning.createAll(kind, names, template);
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
        return provisioning.drop(kind, name);
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
        return renames.rename(kind, from, to, lock);
    }

    /**
     * @param kind module or FoundUp
     * @param name its name
     * @return the catalog entry, dropped ones included, if the name was ever created
     */
    public Optional<NamespaceInfo> find(NamespaceKind kind, String name) {
        return rows.find(kind, name);
    }

    /** @return every namespace in the catalog, dropped ones included, by kind and name */
    public List<NamespaceInfo> list() {
        return rows.list();
    }

    /** @return the catalog's rows, for work that writes them itself (a copy, an import) */
    public CatalogRows rows() {
        return rows;
    }

    /**
     * Registers a module whose tables come from elsewhere (a legacy import); see
     * {@link CatalogRows#registerImportedModule}.
     *
     * @param tx   the caller's transaction
     * @param name the module name, already validated
     * @return the module's table prefix
     */
    public String registerImportedModule(DSLContext tx, String name) {
        return rows.registerImportedModule(tx, name);
    }

    /** @return how many namespace contexts are cached; for tests */
    int cachedContexts() {
        return contexts.size();
    }

    /** @return the templates on the class path */
    public TemplateRegistry templates() {
        return templates;
    }

    /** @return the namespaces that a migration would change: behind their template, or failed */
    public List<NamespaceInfo> pending() {
        return migration.pending();
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
        return migration.migrate(listener);
    }
}
