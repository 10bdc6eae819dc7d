package dev.foundups.db;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import org.jooq.DSLContext;
import org.jooq.conf.FetchTriggerValuesAfterReturning;
import org.jooq.conf.RenderTable;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.DefaultConfiguration;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.internal.backup.DatabaseBackup;
import dev.foundups.db.internal.config.DataSources;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.imports.AgentMemoryImport;
import dev.foundups.db.internal.imports.ModuleDatabaseImport;
import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.migration.SharedSchema;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.namespaces.TemplateRegistry;
import dev.foundups.db.schema.SchemaLayout;
import dev.foundups.db.internal.dialect.DialectStrategy;

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
    private final HikariDataSource dataSource;
    private final DSLContext dsl;
    private final Namespaces namespaces;
    private final NamespaceCatalog catalog;
    private final MigrationReport upgrade;
    private final AgentMemory agents;
    private final AutoCloseable writePath;
    private final Path postgresClientTools;

    private FoundupsDb(Builder builder, DatabaseUrl url) {
        this.url = url;
        this.postgresClientTools = builder.postgresClientTools;
        DialectStrategy strategy = url.strategy();
        int poolSize = builder.maximumPoolSize > 0 ? builder.maximumPoolSize : strategy.defaultPoolSize();
        this.dataSource = DataSources.open(url, poolSize, builder.busyTimeout, builder.walSizeLimit);
        AutoCloseable writePath = null;
        try {
            DefaultConfiguration configuration = new DefaultConfiguration();
            configuration.set(new DataSourceConnectionProvider(dataSource));
            configuration.set(strategy.jooqDialect());
            configuration.set(baseSettings());
            CompiledQuery.enable(configuration);
            // Before any context derives from the configuration, so module code and users' queries follow it (on
            // SQLite: one writer at a time, in this JVM and across processes, and the WAL kept in bounds).
            writePath = strategy.installWritePath(configuration, url, dataSource, builder.busyTimeout,
                    builder.walSizeLimit);
            this.writePath = writePath;
            this.dsl = DSL.using(configuration);
            // One connection stays free for the migration lock's own on PostgreSQL.
            int parallelism = builder.migrationParallelism > 0 ? builder.migrationParallelism
                    : Math.max(1, Math.min(4, poolSize - 2));
            this.namespaces = new Namespaces(dsl, strategy, new TemplateRegistry(url.dialect(), builder.classLoader, dsl), parallelism);
            this.catalog = new NamespaceCatalog(namespaces, () -> MigrationLock.acquire(url, dataSource));
            if (builder.schemaChangesOnOpen) {
                try (MigrationLock lock = MigrationLock.acquire(url, dataSource)) {
                    SharedSchema.update(dataSource, builder.classLoader);
                    this.upgrade = builder.migrateOnOpen ? namespaces.migrate(builder.migrationListener) : null;
                }
            } else {
                this.upgrade = null;
            }
            this.agents = new AgentMemory(dsl);
        } catch (RuntimeException e) {
            closeQuietly(writePath, e);
            dataSource.close();
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable closeable, RuntimeException failure) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            if (failure == null) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
            failure.addSuppressed(e);
        }
    }

    static Settings baseSettings() {
        return new Settings()
                // On SQLite, jOOQ would otherwise re-select "returned" rows by last_insert_rowid(): wrong for upserts.
                .withFetchTriggerValuesAfterReturning(FetchTriggerValuesAfterReturning.NEVER)
                .withExecuteLogging(false)
                .withRenderSchema(false)
                // Every query renders on every call. Qualifying each column with its table (the default) renders
                // each table name once per column, through the render mapping, and on SQLite checks each copy
                // against the keyword list and an identifier pattern: a fifth of the render time of a point read on
                // SQLite (bench: RenderBenchmark). Qualified names still appear where two tables are in scope.
                .withRenderTable(RenderTable.WHEN_MULTIPLE_TABLES);
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

    /** @return a builder for the settings; {@link Builder#open()} opens the database */
    public static Builder configure() {
        return new Builder();
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
        return dsl.connectionResult(c -> List.copyOf(url.strategy().tables(c)));
    }

    /**
     * @return the database's size on disk in bytes: the SQLite file with its WAL, or PostgreSQL's
     *         {@code pg_database_size}
     * @throws FoundupsDbException DB_CONNECTION when it cannot be read
     */
    public long sizeBytes() {
        try {
            return url.strategy().sizeBytes(url, dsl);
        } catch (java.io.IOException e) {
            throw new FoundupsDbException(FoundupsDbException.ErrorCode.DB_CONNECTION, "cannot read the size of "
                    + url + ": " + e.getMessage(), e);
        }
    }

    /**
     * The shared context: typed queries on the {@code agents_*} tables, which map to themselves.
     *
     * @return a long-lived context; do not close it
     */
    public DSLContext dsl() {
        return dsl;
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
        return new FoundUp(id, namespaces.context(NamespaceKind.FOUNDUP, id, SchemaLayout.FOUNDUP_TEMPLATE));
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
        return new PlatformModule(name, namespaces.context(NamespaceKind.MODULE, name, name));
    }

    /**
     * Imports a module's own SQLite database, the protocol's "migrate_to_unified": every table becomes
     * {@code modules_<module>_<table>} with its columns and rows, and the module is registered in the catalog. All
     * of it in one transaction, or nothing; importing the same file again adds nothing.
     *
     * @param file   the legacy database, such as {@code chat_rules.db}
     * @param module the module name, or null to take it from the file name
     * @return the tables and row counts imported
     * @throws FoundupsDbException INVALID_INPUT naming the file or table when it cannot be imported
     */
    public ImportReport importLegacyDatabase(Path file, String module) {
        return new ModuleDatabaseImport(dsl, namespaces, url.strategy()).importFile(file, module);
    }

    /**
     * Imports agent memory kept in a JSON file (an array of objects) or a JSON Lines file: each object becomes an
     * {@code agents_memory} row. All of the file in one transaction, or nothing; importing it again adds nothing.
     *
     * @param file        the file
     * @param agent       the owner of records without an {@code agent_id} field, or null
     * @param patternType the pattern type, or null for the record's {@code pattern_type}, else the file's name
     * @return the rows imported
     * @throws FoundupsDbException INVALID_INPUT naming the file and line when it is malformed
     */
    public ImportReport importAgentMemory(Path file, String agent, String patternType) {
        return new AgentMemoryImport(dsl).importFile(file, agent, patternType);
    }

    /** @return the catalog of namespaces: list, create, drop, migrate */
    public NamespaceCatalog catalog() {
        return catalog;
    }

    /** @return every module and FoundUp namespace in the catalog, dropped ones included */
    public List<NamespaceInfo> namespaces() {
        return namespaces.list();
    }

    /**
     * @return what opening did to bring existing namespaces up to date; empty when opened with
     *         {@code migrateOnOpen(false)}
     */
    public Optional<MigrationReport> openingMigration() {
        return Optional.ofNullable(upgrade);
    }

    /**
     * Backs the database up while it stays in use: writers go on, and the backup holds exactly the transactions
     * committed before it began.
     *
     * <ul>
     *   <li>SQLite: a database file, copied by SQLite's backup API from one snapshot. Open it like any database,
     *       or bring it back with {@link Builder#restore(Path)}.</li>
     *   <li>PostgreSQL: a {@code pg_dump} archive (custom format), written by the {@code pg_dump} program, which
     *       must be on the PATH or in {@link Builder#postgresClientTools(Path)} (Debian: postgresql-client-15).</li>
     * </ul>
     *
     * @param target the file to create; must not exist. It appears only once complete
     * @return the file written, its size and how long it took
     * @throws FoundupsDbException BACKUP when the target exists, pg_dump is missing, or the backup fails
     */
    public BackupResult backup(Path target) {
        Objects.requireNonNull(target, "target");
        return DatabaseBackup.backup(url, dataSource, target, postgresClientTools);
    }

    /**
     * Closes the connection pool. On SQLite it first copies the WAL into the database file and truncates it, so
     * when this was the last connection to the file no {@code -wal} or {@code -shm} file remains.
     */
    @Override
    public void close() {
        closeQuietly(writePath, null);
        dataSource.close();
    }

    @Override
    public String toString() {
        return "FoundupsDb[" + url + "]";
    }

    /**
     * Settings for {@link FoundupsDb}. Every setting has a default; unset values come from the environment.
     */
    public static final class Builder {
        private String databaseUrl;
        private String databaseUrlSource = DATABASE_URL;
        private Function<String, String> environment = System::getenv;
        private int maximumPoolSize;
        private Duration busyTimeout = Duration.ofSeconds(10);
        private boolean migrateOnOpen = true;
        private boolean schemaChangesOnOpen = true;
        private MigrationListener migrationListener = MigrationListener.NONE;
        private int migrationParallelism;
        private ClassLoader classLoader = FoundupsDb.class.getClassLoader();
        private long walSizeLimit = 64L << 20;
        private Path postgresClientTools;

        private Builder() {
        }

        /**
         * The database, in any form {@link DatabaseUrl} accepts. Overrides {@code DATABASE_URL}.
         *
         * @param url the URL
         * @return this builder
         */
        public Builder databaseUrl(String url) {
            return databaseUrl(url, "databaseUrl");
        }

        /**
         * The database, named in error messages as the setting it came from (such as a command-line option).
         *
         * @param url     the URL
         * @param setting what to call the setting in messages, such as {@code --url}
         * @return this builder
         */
        public Builder databaseUrl(String url, String setting) {
            this.databaseUrl = Objects.requireNonNull(url, "databaseUrl");
            this.databaseUrlSource = Objects.requireNonNull(setting, "setting");
            return this;
        }

        /**
         * Where unset values are read from, instead of the process environment (for tests and embedding).
         *
         * @param variables variable name to value
         * @return this builder
         */
        public Builder environment(Map<String, String> variables) {
            Map<String, String> copy = Map.copyOf(variables);
            this.environment = copy::get;
            return this;
        }

        /**
         * Most pooled connections. Default: 4 on SQLite (one writer at a time anyway), 10 on PostgreSQL.
         *
         * @param size at least 2 (one is held by schema changes while they run)
         * @return this builder
         * @throws IllegalArgumentException when below 2
         */
        public Builder maximumPoolSize(int size) {
            if (size < 2) {
                throw new IllegalArgumentException("maximumPoolSize cannot be less than 2, was " + size);
            }
            this.maximumPoolSize = size;
            return this;
        }

        /**
         * How long a SQLite write waits for the write in progress (of another thread of this process, or of another
         * process) before it fails with BUSY. Default 10 s.
         *
         * @param timeout positive duration
         * @return this builder
         * @throws IllegalArgumentException when not positive
         */
        public Builder busyTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("busyTimeout must be positive, was " + timeout);
            }
            this.busyTimeout = timeout;
            return this;
        }

        /**
         * Whether opening applies pending template changes to existing namespaces (default true). The shared
         * tables are always brought up to date. Turn it off to run {@link NamespaceCatalog#migrate} yourself, for
         * example from a deploy step with a progress bar.
         *
         * @param migrate true to migrate on open
         * @return this builder
         */
        public Builder migrateOnOpen(boolean migrate) {
            this.migrateOnOpen = migrate;
            return this;
        }

        /**
         * Whether opening may change the schema at all (default true). With false, opening only connects: no
         * Liquibase run, no template migration. For tools that look without touching, such as a status report.
         *
         * @param allowed true to bring the schema up to date on open
         * @return this builder
         */
        public Builder schemaChangesOnOpen(boolean allowed) {
            this.schemaChangesOnOpen = allowed;
            return this;
        }

        /**
         * Told of the progress of the migration that runs on open.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder migrationListener(MigrationListener listener) {
            this.migrationListener = Objects.requireNonNull(listener, "migrationListener");
            return this;
        }

        /**
         * How many namespaces PostgreSQL migrates or creates at once, each on its own connection. Default: up to
         * 4, leaving two pooled connections free. SQLite always uses one (it has one writer).
         *
         * @param parallelism at least 1
         * @return this builder
         * @throws IllegalArgumentException when below 1
         */
        public Builder migrationParallelism(int parallelism) {
            if (parallelism < 1) {
                throw new IllegalArgumentException("migrationParallelism cannot be less than 1, was " + parallelism);
            }
            this.migrationParallelism = parallelism;
            return this;
        }

        /**
         * SQLite: the size the {@code -wal} file may reach before a commit forces a full checkpoint, and the size
         * it is cut back to after one. Readers that never pause would otherwise let it grow without bound.
         * Default 64 MiB.
         *
         * @param bytes at least 1 MiB
         * @return this builder
         * @throws IllegalArgumentException when below 1 MiB
         */
        public Builder walSizeLimit(long bytes) {
            if (bytes < (1L << 20)) {
                throw new IllegalArgumentException("walSizeLimit cannot be less than 1 MiB (1048576 bytes), was "
                        + bytes);
            }
            this.walSizeLimit = bytes;
            return this;
        }

        /**
         * Where the changelogs and templates are found (default: the class loader of FoundUps DB itself). Set it
         * when module templates ship in jars that a plugin class loader loads.
         *
         * @param loader the class loader
         * @return this builder
         */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "classLoader");
            return this;
        }

        /**
         * PostgreSQL: the folder holding {@code pg_dump} and {@code pg_restore}, for backup and restore. Default:
         * found on the PATH.
         *
         * @param folder the folder, such as {@code /usr/lib/postgresql/16/bin}
         * @return this builder
         */
        public Builder postgresClientTools(Path folder) {
            this.postgresClientTools = Objects.requireNonNull(folder, "postgresClientTools");
            return this;
        }

        /**
         * Replaces the database's content with a backup made by {@link FoundupsDb#backup(Path)}, without opening it.
         *
         * <ul>
         *   <li>SQLite: refused while any connection, of this process or another, has the file open (close every
         *       {@code FoundupsDb} on it first); the backup is checked before the file is touched, and copied in as
         *       one transaction, so a failed restore leaves the database as it was.</li>
         *   <li>PostgreSQL: runs {@code pg_restore} in one transaction into the database, which must be empty
         *       (create a new one): tables made after the backup would otherwise survive it.</li>
         * </ul>
         *
         * @param backup the backup file
         * @throws FoundupsDbException CONFIGURATION for a bad URL; BACKUP when the file is not a backup, the database
         *                             is in use or not empty, or the restore fails
         */
        public void restore(Path backup) {
            Objects.requireNonNull(backup, "backup");
            DatabaseBackup.restore(resolveDatabaseUrl(), backup, busyTimeout, postgresClientTools);
        }

        /**
         * Opens the database: connects, then brings the schema up to date.
         *
         * @return the open database
         * @throws FoundupsDbException CONFIGURATION naming the setting for a bad URL; DB_CONNECTION, MIGRATION
         */
        public FoundupsDb open() {
            return new FoundupsDb(this, resolveDatabaseUrl());
        }

        /**
         * The database {@link #open()} would open: {@link #databaseUrl(String)}, else the {@code DATABASE_URL}
         * system property, else the environment variable, else the default SQLite file. Opens nothing.
         *
         * @throws FoundupsDbException (CONFIGURATION) naming the setting when the URL is not an accepted form
         */
        DatabaseUrl resolveDatabaseUrl() {
            String value = databaseUrl;
            String source = databaseUrlSource;
            if (value == null) {
                value = System.getProperty(DATABASE_URL);
                source = DATABASE_URL + " (system property)";
            }
            if (value == null) {
                value = environment.apply(DATABASE_URL);
                source = DATABASE_URL + " (environment)";
            }
            return DatabaseUrl.parse(value, source);
        }
    }
}
