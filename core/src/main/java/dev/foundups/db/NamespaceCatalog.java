package dev.foundups.db;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.sharding.ShardRouting;
import dev.foundups.db.internal.sharding.ShardedCatalog;
import dev.foundups.db.schema.SchemaLayout;

/**
 * The namespaces of a database: list and look them up, create and drop them, and bring them up to date with
 * their templates. Get it from {@link FoundupsDb#catalog()}.
 *
 * <pre>
 * db.catalog().createFoundUps(List.of("fu1", "fu2"));      // bulk, in parallel on PostgreSQL
 * MigrationReport report = db.catalog().migrate(listener); // apply new template changesets everywhere
 * db.catalog().drop(NamespaceKind.FOUNDUP, "fu2");         // its tables go; the catalog says dropped
 * db.catalog().renameFoundUp("fu1", "fu_one");             // tables, indexes, rows and history move
 * </pre>
 *
 * <p>A FoundUp uses the {@code foundup} template; a module uses the template named after it.
 *
 * <p>On a sharded database (see {@link Shards}) each operation runs on the shard that holds the namespace, and
 * {@link #list()}, {@link #pending()} and {@link #migrate()} on every shard; a new namespace goes to the shard
 * named in {@link #create(NamespaceKind, String, String)}, else to the active shard with the fewest placements.
 */
public final class NamespaceCatalog {

    private final Namespaces namespaces;
    private final Supplier<MigrationLock> lock;
    /** Null on SQLite; routes once the database is sharded. */
    private final ShardRouting sharding;

    NamespaceCatalog(Namespaces namespaces, Supplier<MigrationLock> lock, ShardRouting sharding) {
        this.namespaces = namespaces;
        this.lock = lock;
        this.sharding = sharding;
    }

    /** @return the catalog across shards when the database is sharded, else null */
    private ShardedCatalog sharded() {
        return sharding != null && sharding.sharded() ? sharding.catalog() : null;
    }

    /** @return every namespace, dropped ones included, by kind and name (on a sharded database: of every shard) */
    public List<NamespaceInfo> list() {
        ShardedCatalog sharded = sharded();
        return sharded != null ? sharded.list() : namespaces.list();
    }

    /**
     * @param kind module or FoundUp
     * @param name its name
     * @return the namespace, dropped ones included, if the name was ever created
     */
    public Optional<NamespaceInfo> find(NamespaceKind kind, String name) {
        ShardedCatalog sharded = sharded();
        return sharded != null ? sharded.find(kind, name) : namespaces.find(kind, name);
    }

    /**
     * Creates a namespace from its template.
     *
     * @param kind module or FoundUp
     * @param name its name
     * @return the new namespace
     * @throws FoundupsDbException NAME_CONFLICT when it exists already or its tables are taken; INVALID_NAME;
     *                             CONFIGURATION when a module has no template
     */
    public NamespaceInfo create(NamespaceKind kind, String name) {
        ShardedCatalog sharded = sharded();
        return sharded != null ? sharded.create(kind, name, templateOf(kind, name), null)
                : namespaces.create(kind, name, templateOf(kind, name));
    }

    /**
     * Creates a namespace from its template on a chosen shard of a sharded database. Placing and creating are
     * atomic across the directory and the shard: after a crash in between, the next call (or first use) completes
     * the namespace on the same shard.
     *
     * @param kind  module or FoundUp
     * @param name  its name
     * @param shard the shard to create it on, or null for the active shard with the fewest placements
     * @return the new namespace
     * @throws FoundupsDbException CONFIGURATION when a shard is named and the database is not sharded (or a module
     *                             has no template); INVALID_INPUT for an unknown or draining shard; NAME_CONFLICT
     *                             when it exists already (on any shard); INVALID_NAME
     */
    public NamespaceInfo create(NamespaceKind kind, String name, String shard) {
        if (shard == null) {
            return create(kind, name);
        }
        ShardedCatalog sharded = sharded();
        if (sharded == null) {
            throw new FoundupsDbException(FoundupsDbException.ErrorCode.CONFIGURATION, "cannot create "
                    + kind.describeName() + " '" + name + "' on shard '" + shard + "': the database is not sharded "
                    + "(add shards with db.shards().add(name, url) or 'foundups-db shard add NAME URL')");
        }
        return sharded.create(kind, name, templateOf(kind, name), shard);
    }

    /**
     * Creates many FoundUps, each in its own transaction (several at once on PostgreSQL). Existing ones are kept.
     *
     * @param ids the FoundUp ids; all are checked before anything is created
     * @return the FoundUps, in order
     * @throws FoundupsDbException INVALID_NAME before anything is created; NAME_CONFLICT
     */
    public List<NamespaceInfo> createFoundUps(Collection<String> ids) {
        ShardedCatalog sharded = sharded();
        return sharded != null ? sharded.createAll(NamespaceKind.FOUNDUP, ids, SchemaLayout.FOUNDUP_TEMPLATE)
                : namespaces.createAll(NamespaceKind.FOUNDUP, ids, SchemaLayout.FOUNDUP_TEMPLATE);
    }

    /**
     * Drops a namespace: its tables and their rows are gone; the catalog keeps a row marked dropped, and the name
     * may be created again later.
     *
     * @param kind module or FoundUp
     * @param name its name
     * @return the namespace as it was before
     * @throws FoundupsDbException INVALID_INPUT when there is no such namespace
     */
    public NamespaceInfo drop(NamespaceKind kind, String name) {
        ShardedCatalog sharded = sharded();
        return sharded != null ? sharded.drop(kind, name) : namespaces.drop(kind, name);
    }

    /**
     * Renames a FoundUp: its tables, with their rows, indexes, constraints and (on PostgreSQL) id sequences, move to
     * the new id's names, and its catalog row takes the new id while keeping its history (template version,
     * creation time). All of it is one transaction, taken under the schema-change lock: it happens completely or
     * not at all. The old id is free afterwards and can be created again.
     *
     * <p>The FoundUp must be ready and at its template's current version (run {@link #migrate()} first). A dropped
     * FoundUp of the new id is forgotten: its catalog row is replaced. {@code db.foundUp(from)} afterwards makes a
     * new, empty FoundUp; a {@link FoundUp} of the old id obtained before the rename, in this process or another,
     * gets errors from its next query (its tables are gone): ask for the new id instead.
     *
     * @param from the FoundUp's id
     * @param to   its new id; the naming rule of {@link FoundupsDb#foundUp(String)}
     * @return the renamed FoundUp
     * @throws FoundupsDbException INVALID_NAME for a bad new id; INVALID_INPUT when {@code from} does not exist or
     *                             equals {@code to}; NAME_CONFLICT when {@code to} exists or one of its names is taken
     *                             (the message names the owner); MIGRATION when {@code from} is failed or behind its
     *                             template, or the rename fails. Nothing is changed in any of these cases
     */
    public NamespaceInfo renameFoundUp(String from, String to) {
        ShardedCatalog sharded = sharded();
        return sharded != null ? sharded.renameFoundUp(from, to)
                : namespaces.rename(NamespaceKind.FOUNDUP, from, to, lock);
    }

    /**
     * Moves a namespace of a sharded database to another shard while it stays in use: by logical replication when
     * the source server has {@code wal_level=logical} (writers to it wait well under a second at the switch), else
     * copied and checked under a freeze (writers wait for the whole copy; the report says so). Every step is
     * journaled in the directory: after a crash, calling it again finishes or undoes the move, and the namespace
     * is never in two places nor in none. Readers and writers of this and other processes follow it to the new
     * shard; nothing is written to the old one after the switch.
     *
     * @param kind  module or FoundUp
     * @param name  its name
     * @param shard the shard to move it to
     * @return what the move did
     * @throws FoundupsDbException CONFIGURATION when the database is not sharded; INVALID_INPUT for an unknown or
     *                             draining shard or an unplaced namespace; TRANSFER when a step failed (run it
     *                             again to resume); MIGRATION when the namespace is behind its template
     */
    public MoveReport move(NamespaceKind kind, String name, String shard) {
        ShardedCatalog sharded = sharded();
        if (sharded == null) {
            throw new FoundupsDbException(FoundupsDbException.ErrorCode.CONFIGURATION, "cannot move "
                    + kind.describeName() + " '" + name + "': the database is not sharded");
        }
        return sharded.move(kind, name, shard);
    }

    /** @return the names of the module templates on the class path: the modules that can be registered */
    public List<String> moduleTemplates() {
        return namespaces.templates().names(NamespaceKind.MODULE);
    }

    /** @return the namespaces a {@link #migrate()} would change: behind their template, or failed */
    public List<NamespaceInfo> pending() {
        ShardedCatalog sharded = sharded();
        return sharded != null ? sharded.pending() : namespaces.pending();
    }

    /**
     * Applies every template changeset that a namespace lacks, each namespace in its own transaction, under the
     * database-wide migration lock (so two processes never apply a change twice). Failed namespaces are marked
     * and reported; the next call retries only those and the ones still behind.
     *
     * <p>On a sharded database every shard migrates at the same time, each under its own lock; a shard that cannot
     * be reached is reported among the failures as {@code shard:NAME}, and the others go on.
     *
     * @return what was done
     */
    public MigrationReport migrate() {
        return migrate(MigrationListener.NONE);
    }

    /**
     * {@link #migrate()}, telling a listener of progress.
     *
     * @param listener told of each namespace as it is done
     * @return what was done
     * @throws FoundupsDbException (MIGRATION) when an applied changeset was edited or removed
     */
    public MigrationReport migrate(MigrationListener listener) {
        ShardedCatalog sharded = sharded();
        if (sharded != null) {
            return sharded.migrate(listener); // every shard at once, each under its own lock
        }
        try (MigrationLock held = lock.get()) {
            return namespaces.migrate(listener);
        }
    }

    private static String templateOf(NamespaceKind kind, String name) {
        return kind == NamespaceKind.FOUNDUP ? SchemaLayout.FOUNDUP_TEMPLATE : name;
    }
}
