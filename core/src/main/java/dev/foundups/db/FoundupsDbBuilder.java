package dev.foundups.db;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import dev.foundups.db.internal.backup.BackupFolder;
import dev.foundups.db.internal.backup.DatabaseBackup;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * Settings for {@link FoundupsDb}, from {@link FoundupsDb#configure()}: every setting has a default, and unset
 * values come from the environment. {@link #open()} opens the database; the builder may be used again.
 *
 * <pre>
 * FoundupsDb db = FoundupsDb.configure()
 *         .databaseUrl("postgresql://fu:pw@db:5432/foundups")
 *         .maximumPoolSize(20)
 *         .open();
 * </pre>
 */
public final class FoundupsDbBuilder {

    String databaseUrl;
    String databaseUrlSource = FoundupsDb.DATABASE_URL;
    Function<String, String> environment = System::getenv;
    int maximumPoolSize;
    Duration busyTimeout = Duration.ofSeconds(10);
    boolean migrateOnOpen = true;
    boolean schemaChangesOnOpen = true;
    MigrationListener migrationListener = MigrationListener.NONE;
    int migrationParallelism;
    ClassLoader classLoader = FoundupsDb.class.getClassLoader();
    long walSizeLimit = 64L << 20;
    Path postgresClientTools;
    DatabaseListener listener = DatabaseListener.NONE;
    Object metricRegistry;
    List<String> readReplicas;
    String readReplicasSetting = "readReplicas";
    Duration maxReplicaLag;
    ReplicaReads replicaReads;
    Duration moveWaitTimeout = Duration.ofSeconds(30);

    FoundupsDbBuilder() {
    }

    /**
     * The database, in any form {@code DATABASE_URL} accepts (see the README). Overrides {@code DATABASE_URL}.
     *
     * @param url the URL
     * @return this builder
     * @throws FoundupsDbException CONFIGURATION when the URL is not an accepted form
     */
    public FoundupsDbBuilder databaseUrl(String url) {
        return databaseUrl(url, "databaseUrl");
    }

    /**
     * The database, named in error messages as the setting it came from (such as a command-line option).
     * Checked at once, so a misconfiguration fails where it is made, naming the setting.
     *
     * @param url     the URL
     * @param setting what to call the setting in messages, such as {@code --url}
     * @return this builder
     * @throws FoundupsDbException CONFIGURATION naming the setting when the URL is not an accepted form
     */
    public FoundupsDbBuilder databaseUrl(String url, String setting) {
        DatabaseUrl.parse(Objects.requireNonNull(url, "databaseUrl"), Objects.requireNonNull(setting, "setting"));
        this.databaseUrl = url;
        this.databaseUrlSource = setting;
        return this;
    }

    /**
     * Where unset values are read from, instead of the process environment (for tests and embedding).
     *
     * @param variables variable name to value
     * @return this builder
     */
    public FoundupsDbBuilder environment(Map<String, String> variables) {
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
    public FoundupsDbBuilder maximumPoolSize(int size) {
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
    public FoundupsDbBuilder busyTimeout(Duration timeout) {
        this.busyTimeout = positive(timeout, "busyTimeout");
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
    public FoundupsDbBuilder migrateOnOpen(boolean migrate) {
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
    public FoundupsDbBuilder schemaChangesOnOpen(boolean allowed) {
        this.schemaChangesOnOpen = allowed;
        return this;
    }

    /**
     * Told of the progress of the migration that runs on open (on a sharded database, also of each shard's, when
     * this process first uses the shard).
     *
     * @param listener the listener
     * @return this builder
     */
    public FoundupsDbBuilder migrationListener(MigrationListener listener) {
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
    public FoundupsDbBuilder migrationParallelism(int parallelism) {
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
    public FoundupsDbBuilder walSizeLimit(long bytes) {
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
    public FoundupsDbBuilder classLoader(ClassLoader loader) {
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
    public FoundupsDbBuilder postgresClientTools(Path folder) {
        this.postgresClientTools = Objects.requireNonNull(folder, "postgresClientTools");
        return this;
    }

    /**
     * Told of what the open database does (namespaces created, migrations, SQLite write waits and checkpoints),
     * for metrics.
     *
     * @param listener the listener; its exceptions are logged and ignored
     * @return this builder
     */
    public FoundupsDbBuilder listener(DatabaseListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * A metrics registry for HikariCP's own pool metrics ({@code hikaricp.connections.*}, tagged with the pool
     * name): a Micrometer {@code MeterRegistry}, or a Dropwizard {@code MetricRegistry} (HikariCP looks a
     * {@code String} up in JNDI). An {@code Object}, so that FoundUps DB itself depends on neither.
     *
     * @param registry the registry
     * @return this builder
     * @throws IllegalArgumentException from {@link #open()} when it is not one of those types
     */
    public FoundupsDbBuilder metricRegistry(Object registry) {
        this.metricRegistry = Objects.requireNonNull(registry, "metricRegistry");
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
     *   <li>A sharded database's backup set (its folder or {@code manifest.json}): as {@link #restoreSet(Path)}
     *       with its defaults, each shard into the database the set's directory names for it.</li>
     * </ul>
     *
     * @param backup the backup file, or a set's folder or manifest
     * @return what was restored: where to, size and time (a set's per shard)
     * @throws FoundupsDbException CONFIGURATION for a bad URL; BACKUP when the file is not a backup, a database is
     *                             in use or not empty, or the restore fails; DB_CONNECTION when a set's target
     *                             cannot be reached
     */
    public RestoreResult restore(Path backup) {
        Objects.requireNonNull(backup, "backup");
        if (BackupFolder.setOf(backup).isPresent()) {
            return restoreSet(backup).restore();
        }
        return DatabaseBackup.restore(resolveDatabaseUrl(), backup, busyTimeout, postgresClientTools);
    }

    /**
     * The restore of a sharded database's backup set into this database ({@code main}'s archive, with the
     * directory) and one empty database per other shard; {@link BackupSetRestore} says where each shard goes, then
     * {@link BackupSetRestore#restore()} runs it.
     *
     * @param set the set's folder, or its {@code manifest.json}
     * @return the restore, to configure and run
     * @throws FoundupsDbException CONFIGURATION for a bad URL; BACKUP when {@code set} is not a backup set
     */
    public BackupSetRestore restoreSet(Path set) {
        Path folder = BackupFolder.setOf(Objects.requireNonNull(set, "set")).orElseThrow(() -> new FoundupsDbException(
                FoundupsDbException.ErrorCode.BACKUP, set.toAbsolutePath() + " is not a backup set: a set is a folder "
                + "holding " + BackupFolder.MANIFEST + ", written by backup on a sharded database"));
        return new BackupSetRestore(resolveDatabaseUrl(), folder, busyTimeout, postgresClientTools);
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
     * Read replicas: PostgreSQL hot standbys of the primary that {@code databaseUrl} names. Reads outside a
     * transaction go to them (see {@link ReplicaReads}); everything else to the primary. Overrides
     * {@code DATABASE_REPLICA_URLS} (URLs separated by spaces or commas). A multi-host primary URL
     * ({@code postgresql://h1:5432,h2:5432/db}) needs no list: its standbys are found by polling. Refused on
     * SQLite.
     *
     * @param urls the standbys, in any form {@code databaseUrl} accepts; credentials default to the primary's
     * @return this builder
     */
    public FoundupsDbBuilder readReplicas(String... urls) {
        return readReplicas(List.of(urls));
    }

    /**
     * @param urls the standbys; see {@link #readReplicas(String...)}
     * @return this builder
     */
    public FoundupsDbBuilder readReplicas(List<String> urls) {
        this.readReplicas = List.copyOf(Objects.requireNonNull(urls, "readReplicas"));
        return this;
    }

    /**
     * The read replicas, named in error messages as the setting they came from (such as a command-line option).
     *
     * @param urls    the standbys
     * @param setting what to call the setting in messages, such as {@code --replica}
     * @return this builder
     */
    public FoundupsDbBuilder readReplicas(List<String> urls, String setting) {
        readReplicas(urls);
        this.readReplicasSetting = Objects.requireNonNull(setting, "setting");
        return this;
    }

    /**
     * How far behind the primary a replica may be and still get reads (default 1 second, or
     * {@code DATABASE_MAX_REPLICA_LAG} such as {@code 500ms}). A replica past it gets none until it catches up.
     * Reads that must see their own writes wait for no replica either way: they run on the primary.
     *
     * @param lag the limit; positive
     * @return this builder
     * @throws IllegalArgumentException when it is not positive
     */
    public FoundupsDbBuilder maxReplicaLag(Duration lag) {
        this.maxReplicaLag = positive(Objects.requireNonNull(lag, "maxReplicaLag"), "maxReplicaLag");
        return this;
    }

    /**
     * Which reads may use replicas and whose writes they see (default {@link ReplicaReads#THREAD}, or
     * {@code DATABASE_REPLICA_READS}).
     *
     * @param reads the rule
     * @return this builder
     */
    public FoundupsDbBuilder replicaReads(ReplicaReads reads) {
        this.replicaReads = Objects.requireNonNull(reads, "replicaReads");
        return this;
    }

    /**
     * Sharded PostgreSQL: how long a statement that meets a namespace being moved to another shard waits for the
     * move to end before it fails with {@code NAMESPACE_MOVED}. A single statement outside a transaction waits and
     * then runs on the new shard; a transaction fails at once. Default 30 seconds.
     *
     * @param timeout positive duration
     * @return this builder
     * @throws IllegalArgumentException when not positive
     */
    public FoundupsDbBuilder moveWaitTimeout(Duration timeout) {
        this.moveWaitTimeout = positive(timeout, "moveWaitTimeout");
        return this;
    }

    /** @throws IllegalArgumentException naming the setting when the duration is null, zero or negative */
    private static Duration positive(Duration value, String setting) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(setting + " must be positive, was " + value);
        }
        return value;
    }

    /**
     * The database {@link #open()} would open: {@link #databaseUrl(String)}, else the {@code DATABASE_URL}
     * system property, else the environment variable, else the default SQLite file. Opens nothing.
     *
     * @throws FoundupsDbException (CONFIGURATION) naming the setting when the URL is not an accepted form
     */
    DatabaseUrl resolveDatabaseUrl() {
        String value = databaseUrl != null ? databaseUrl : System.getProperty(FoundupsDb.DATABASE_URL);
        return DatabaseUrl.parse(value != null ? value : environment.apply(FoundupsDb.DATABASE_URL),
                databaseUrlSetting());
    }

    /** @return the setting {@link #resolveDatabaseUrl()} takes the URL from, as messages name it */
    String databaseUrlSetting() {
        if (databaseUrl != null) {
            return databaseUrlSource;
        }
        return FoundupsDb.DATABASE_URL + (System.getProperty(FoundupsDb.DATABASE_URL) != null ? " (system property)"
                : " (environment)");
    }
}
