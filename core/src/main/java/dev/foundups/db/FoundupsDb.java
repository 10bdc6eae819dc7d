package dev.foundups.db;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.jooq.DSLContext;

import dev.foundups.db.internal.backup.DatabaseBackup;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.imports.AgentMemoryImport;
import dev.foundups.db.internal.imports.ModuleDatabaseImport;
import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.sharding.ShardRouting;
import dev.foundups.db.schema.SchemaLayout;

/**
 * The WSP 78 database: one database, three namespaces. Open it once per process and share it; it is thread-safe.
 *
 * <pre>
 * try (FoundupsDb db = FoundupsDb.open()) {            // DATABASE_URL, or SQLite at data/foundups.db
 *     db.agents().recordAwakening("error-learning-agent", "0102");
 *     FoundUp bot = db.foundUp("youtube_bot");           // created from the FoundUp template on first use
 *     bot.addUser("user123", "StreamViewer");
 *     ChatRules chat = ChatRules.of(db);                 // a module: modules_chat_rules_*
 *     chat.recordTimeout("mod123", "troll456", 60);
 * }
 * </pre>
 *
 * <p>Opening brings the schema up to date: the shared changelog (catalog and {@code agents_*}) with Liquibase,
 * then any template change not yet applied to an existing module or FoundUp namespace.
 */
public final class FoundupsDb implements AutoCloseable {

    /** The setting that chooses the database: an environment variable or a system property of this name. */
    public static final String DATABASE_URL = "DATABASE_URL";

    static {
        // jOOQ prints a banner and tips on first use unless told not to; a library should stay quiet.
        System.setProperty("org.jooq.no-logo", System.getProperty("org.jooq.no-logo", "true"));
        System.setProperty("org.jooq.no-tips", System.getProperty("org.jooq.no-tips", "true"));
    }

    private final DatabaseUrl url;
    private final Path postgresClientTools;
    /** The pool, the shared context, the namespaces, read routing and sharding: what opening made. */
    private final DatabaseResources resources;
    private final NamespaceCatalog catalog;
    private final AgentMemory agents;
    private final Shards shards;

    FoundupsDb(FoundupsDbBuilder builder, DatabaseUrl url) {
        this.url = url;
        this.postgresClientTools = builder.postgresClientTools;
        this.resources = DatabaseResources.open(builder, url);
        ShardRouting sharding = resources.sharding();
        this.shards = new Shards(sharding, url, builder.databaseUrlSetting(), resources.dsl());
        this.catalog = new NamespaceCatalog(resources.namespaces(),
                () -> MigrationLock.acquire(url, resources.dataSource()), sharding);
        this.agents = new AgentMemory(resources.dsl(), sharding);
    }

    /**
     * Opens the database that {@code DATABASE_URL} names (system property first, then environment), or the SQLite
     * file {@code data/foundups.db} when it is not set.
     *
     * @return the open database
     * @throws FoundupsDbException CONFIGURATION for a bad URL, DB_CONNECTION or MIGRATION when it cannot be opened
     */
    public static FoundupsDb open() {
        return configure().open();
    }

    /** @return a builder for the settings; {@link FoundupsDbBuilder#open()} opens the database */
    public static FoundupsDbBuilder configure() {
        return new FoundupsDbBuilder();
    }

    /** @return the database's JDBC URL, with any password masked: safe to log */
    public String url() {
        return url.toString();
    }

    /** @return SQLite or PostgreSQL */
    public Dialect dialect() {
        return url.dialect();
    }

    /**
     * The tables of the database, in the connection's schema (PostgreSQL's {@code currentSchema}, not always
     * {@code public}), without the engine's own.
     *
     * @return table names, sorted
     */
    public List<String> tableNames() {
        return resources.dsl().connectionResult(c -> List.copyOf(url.strategy().tables(c)));
    }

    /**
     * @return the database's size on disk in bytes: the SQLite file with its WAL, or PostgreSQL's
     *         {@code pg_database_size}
     * @throws FoundupsDbException DB_CONNECTION when it cannot be read
     */
    public long sizeBytes() {
        try {
            return url.strategy().sizeBytes(url, resources.dsl());
        } catch (java.io.IOException e) {
            throw new FoundupsDbException(FoundupsDbException.ErrorCode.DB_CONNECTION, "cannot read the size of "
                    + url + ": " + e.getMessage(), e);
        }
    }

    /**
     * The shared context: typed queries on the {@code agents_*} tables, which map to themselves. On a sharded
     * database it is main's; {@link Shards#query} asks every shard.
     *
     * @return a long-lived context; do not close it
     */
    public DSLContext dsl() {
        return resources.dsl();
    }

    /**
     * The connection pool, for code that needs plain JDBC (a framework's {@code DataSource}, a health check). On
     * SQLite, writes through it bypass the one-writer queue of {@link #dsl()} and rely on the busy timeout alone.
     *
     * @return the pool; closed by {@link #close()}, never close it yourself
     */
    public DataSource dataSource() {
        return resources.dataSource();
    }

    /** @return the shared agent memory ({@code agents_*}) */
    public AgentMemory agents() {
        return agents;
    }

    /**
     * A FoundUp project's tables ({@code foundups_<id>_*}), created from the FoundUp template on first use.
     *
     * @param id the FoundUp id: lower-case letters, digits and underscores, starting with a letter
     * @return the FoundUp; cheap to call again
     * @throws FoundupsDbException INVALID_NAME for a bad id, NAME_CONFLICT when its tables belong to another one
     */
    public FoundUp foundUp(String id) {
        return new FoundUp(id, context(NamespaceKind.FOUNDUP, id, SchemaLayout.FOUNDUP_TEMPLATE));
    }

    /**
     * A platform module's tables ({@code modules_<name>_*}), created from the module's template (the changelogs
     * under {@code db/foundups/templates/modules/<name>/}) when the module is first registered.
     *
     * @param name the module name, such as {@code chat_rules}
     * @return the module; cheap to call again
     * @throws FoundupsDbException INVALID_NAME for a bad name, CONFIGURATION when the module has no template
     */
    public PlatformModule module(String name) {
        Objects.requireNonNull(name, "module name");
        return new PlatformModule(name, context(NamespaceKind.MODULE, name, name));
    }

    /** A namespace's context: on its shard when the database is sharded. */
    private DSLContext context(NamespaceKind kind, String name, String template) {
        ShardRouting s = resources.sharding();
        return s != null && s.sharded() ? s.context(kind, name, template)
                : primary(() -> resources.namespaces().context(kind, name, template));
    }

    /**
     * Imports a module's own SQLite database, the protocol's "migrate_to_unified": every table becomes
     * {@code modules_<module>_<table>} with its columns and rows, and the module is registered in the catalog. All
     * of it in one transaction, or nothing; importing the same file again adds nothing.
     *
     * @param file   the legacy database, such as {@code chat_rules.db}
     * @param module the module name, or null to take it from the file name
     * @return the tables and row counts imported
     * @throws FoundupsDbException INVALID_INPUT naming the file or table when it cannot be imported; CONFIGURATION
     *                             on a sharded database (import before adding shards)
     */
    public ImportReport importLegacyDatabase(Path file, String module) {
        shards.refuseImport("a legacy module database");
        return new ModuleDatabaseImport(resources.dsl(), resources.namespaces(), url.strategy())
                .importFile(file, module);
    }

    /**
     * Imports agent memory kept in a JSON file (an array of objects) or a JSON Lines file: each object becomes an
     * {@code agents_memory} row. All of the file in one transaction, or nothing; importing it again adds nothing.
     *
     * @param file        the file
     * @param agent       the owner of records without an {@code agent_id} field, or null
     * @param patternType the pattern type, or null for the record's {@code pattern_type}, else the file's name
     * @return the rows imported
     * @throws FoundupsDbException INVALID_INPUT naming the file and line when it is malformed; CONFIGURATION on a
     *                             sharded database (import before adding shards)
     */
    public ImportReport importAgentMemory(Path file, String agent, String patternType) {
        shards.refuseImport("agent memory");
        return new AgentMemoryImport(resources.dsl()).importFile(file, agent, patternType);
    }

    /**
     * The shards of a PostgreSQL database: add and list them, and query all of them. Until a shard is added the
     * database is one server and nothing is routed.
     *
     * @return the shards' handle; on SQLite one that refuses to add shards
     */
    public Shards shards() {
        return shards;
    }

    /** @return the catalog of namespaces: list, create, drop, migrate */
    public NamespaceCatalog catalog() {
        return catalog;
    }

    /** @return every module and FoundUp namespace in the catalog (of every shard), dropped ones included */
    public List<NamespaceInfo> namespaces() {
        return catalog.list();
    }

    /**
     * @return what opening did to bring existing namespaces up to date; empty when opened with
     *         {@code migrateOnOpen(false)}
     */
    public Optional<MigrationReport> openingMigration() {
        return Optional.ofNullable(resources.upgrade());
    }

    /**
     * Backs the database up while it stays in use: writers go on, and the backup holds exactly the transactions
     * committed before it began.
     *
     * <ul>
     *   <li>SQLite: a database file, copied by SQLite's backup API from one snapshot. Open it like any database,
     *       or bring it back with {@link FoundupsDbBuilder#restore(Path)}.</li>
     *   <li>PostgreSQL: a {@code pg_dump} archive (custom format), written by the {@code pg_dump} program, which
     *       must be on the PATH or in {@link FoundupsDbBuilder#postgresClientTools(Path)} (Debian:
     *       postgresql-client-15).</li>
     *   <li>Sharded PostgreSQL: a <em>set</em>, the folder {@code target} with one {@code pg_dump} archive per shard
     *       ({@code main}'s holds the directory) and a {@code manifest.json}. The shards' snapshots are taken one
     *       after another; {@link BackupResult#consistent()} says whether a namespace or agent moved meanwhile
     *       (then take it again). {@link FoundupsDbBuilder#restoreSet(Path)} restores a set, one empty database
     *       per shard.</li>
     * </ul>
     *
     * @param target where the backup goes; must not exist (a backup never overwrites a file)
     * @return the file (or set folder) written, its size, how long it took, and a set's archives and consistency
     * @throws FoundupsDbException BACKUP when the target exists, pg_dump is missing, or the backup fails (naming the
     *                             shard that failed); a failed backup leaves nothing behind
     */
    public BackupResult backup(Path target) {
        Objects.requireNonNull(target, "target");
        ShardRouting sharding = resources.sharding();
        Optional<BackupResult> set = sharding == null ? Optional.empty()
                : sharding.backup(target, postgresClientTools);
        return set.orElseGet(() -> DatabaseBackup.backup(url, resources.dataSource(), target, postgresClientTools));
    }

    /**
     * Closes the connection pool. On SQLite it first copies the WAL into the database file and truncates it, so
     * when this was the last connection to the file no {@code -wal} or {@code -shm} file remains.
     */
    @Override
    public void close() {
        resources.close();
    }

    @Override
    public String toString() {
        return "FoundupsDb[" + url + "]";
    }

    // ---- read replicas

    /** Namespace look-ups read the catalog on the primary: a standby may not have replayed a new namespace yet. */
    private <T> T primary(Supplier<T> work) {
        return resources.router() == null ? work.get() : resources.router().onPrimary(work);
    }

    /**
     * Runs work with every read of this thread on the primary, for the rare read that must see what other
     * processes committed a moment ago. Without replicas it only runs the work.
     *
     * @param work what to run, such as {@code () -> dsl.selectFrom(T).fetch()}
     * @param <T>  its result
     * @return what the work returned
     */
    public <T> T onPrimary(Supplier<T> work) {
        Objects.requireNonNull(work, "work");
        return primary(work);
    }

    /**
     * The point a later read must reach to see every write this thread made (with {@link ReplicaReads#DATABASE}:
     * that this database made), and every token this thread is reading after. Hand it to another thread, process or
     * service, which passes it to {@link #readingAfter(ConsistencyToken, Supplier)} to read those writes from any
     * replica that has replayed them (or from the primary).
     *
     * @return the token; {@link ConsistencyToken#NONE} on SQLite, without replicas, or before any write
     * @throws FoundupsDbException DB_CONNECTION when the primary's position must be read and cannot be
     */
    public ConsistencyToken consistencyToken() {
        return resources.router() == null ? ConsistencyToken.NONE
                : ConsistencyToken.of(resources.router().consistencyPosition());
    }

    /**
     * Runs work whose reads see at least what a token covers: on a replica that has replayed that far, else on the
     * primary. Nested calls see the latest of their tokens.
     *
     * @param token from {@link #consistencyToken()}, in this or another process on the same cluster
     * @param work  the reads
     * @param <T>   their result
     * @return what the work returned
     */
    public <T> T readingAfter(ConsistencyToken token, Supplier<T> work) {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(work, "work");
        return resources.router() == null ? work.get()
                : resources.router().readingAfter(token.walPosition(), work);
    }

    /**
     * The database's servers and how reads were routed: every node with its role, health, WAL position, replay lag
     * and pool, and the last failover. On SQLite and on one PostgreSQL server without replicas: empty.
     *
     * @return the status as the background poller last saw it (it polls every 50 ms); empty without replication
     */
    public Optional<ReplicationStatus> replication() {
        return resources.router() == null ? Optional.empty() : Optional.of(resources.router().status());
    }
}
