package dev.foundups.db.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import dev.foundups.db.ReplicaReads;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbBuilder;

/**
 * The settings of {@link FoundupsDbBuilder}, as {@code foundups.*} properties. Unset ones keep the builder's
 * defaults. An unknown {@code foundups.*} key in the application's configuration fails start-up with its name
 * (environment variables and system properties are not checked: Boot leaves those out, since they hold unrelated
 * values too); a bad value fails it naming the property and the reason.
 *
 * <pre>
 * foundups.database-url=postgresql://fu:secret@db:5432/foundups
 * foundups.maximum-pool-size=20
 * </pre>
 */
@ConfigurationProperties(prefix = "foundups", ignoreUnknownFields = false)
public class FoundupsDbProperties {

    /**
     * The database: postgresql://user:password@host:5432/db, jdbc:postgresql://..., sqlite:///relative/path.db,
     * sqlite:////absolute/path.db or jdbc:sqlite:/path.db. Unset: the DATABASE_URL property or environment
     * variable, else SQLite at data/foundups.db.
     */
    private String databaseUrl;

    /** Most pooled connections, at least 2. Default: 4 on SQLite (one writer at a time anyway), 10 on PostgreSQL. */
    private Integer maximumPoolSize;

    /** How long a SQLite write waits for the write in progress before it fails with BUSY. */
    private Duration busyTimeout = Duration.ofSeconds(10);

    /**
     * Whether start-up applies pending template changes to existing module and FoundUp namespaces, as Boot runs
     * Flyway or Liquibase. The shared tables are always brought up to date. Off: run them yourself, with
     * NamespaceCatalog.migrate().
     */
    private boolean migrateOnOpen = true;

    /** Whether start-up may change the schema at all. Off: it only connects (no Liquibase, no migration). */
    private boolean schemaChangesOnOpen = true;

    /** How many namespaces PostgreSQL migrates or creates at once. Default: up to 4, leaving 2 connections free. */
    private Integer migrationParallelism;

    /** SQLite: the WAL size past which a commit forces a checkpoint that truncates it; at least 1MB. */
    private DataSize walSizeLimit = DataSize.ofMegabytes(64);

    /** PostgreSQL: the folder of pg_dump and pg_restore, for backup and restore. Default: found on the PATH. */
    private Path postgresClientTools;

    /**
     * PostgreSQL: hot standbys that take reads outside transactions. Default: DATABASE_REPLICA_URLS, or none (a
     * multi-host database URL finds its standbys itself).
     */
    private List<String> readReplicas;

    /** How far behind the primary a replica may be and still get reads. Default: 1s. */
    private Duration maxReplicaLag;

    /** Which reads may use replicas and whose writes they see: thread (default), database or none. */
    private ReplicaReads replicaReads;

    /** @return the database URL, or null to use DATABASE_URL or the default */
    public String getDatabaseUrl() {
        return databaseUrl;
    }

    /** @param databaseUrl the database URL */
    public void setDatabaseUrl(String databaseUrl) {
        this.databaseUrl = databaseUrl;
    }

    /** @return the most pooled connections, or null for the dialect's default */
    public Integer getMaximumPoolSize() {
        return maximumPoolSize;
    }

    /** @param maximumPoolSize the most pooled connections */
    public void setMaximumPoolSize(Integer maximumPoolSize) {
        this.maximumPoolSize = maximumPoolSize;
    }

    /** @return how long a SQLite write waits for another */
    public Duration getBusyTimeout() {
        return busyTimeout;
    }

    /** @param busyTimeout how long a SQLite write waits for another */
    public void setBusyTimeout(Duration busyTimeout) {
        this.busyTimeout = busyTimeout;
    }

    /** @return whether start-up migrates namespaces */
    public boolean isMigrateOnOpen() {
        return migrateOnOpen;
    }

    /** @param migrateOnOpen whether start-up migrates namespaces */
    public void setMigrateOnOpen(boolean migrateOnOpen) {
        this.migrateOnOpen = migrateOnOpen;
    }

    /** @return whether start-up may change the schema */
    public boolean isSchemaChangesOnOpen() {
        return schemaChangesOnOpen;
    }

    /** @param schemaChangesOnOpen whether start-up may change the schema */
    public void setSchemaChangesOnOpen(boolean schemaChangesOnOpen) {
        this.schemaChangesOnOpen = schemaChangesOnOpen;
    }

    /** @return namespaces migrated at once on PostgreSQL, or null for the default */
    public Integer getMigrationParallelism() {
        return migrationParallelism;
    }

    /** @param migrationParallelism namespaces migrated at once on PostgreSQL */
    public void setMigrationParallelism(Integer migrationParallelism) {
        this.migrationParallelism = migrationParallelism;
    }

    /** @return the SQLite WAL size limit */
    public DataSize getWalSizeLimit() {
        return walSizeLimit;
    }

    /** @param walSizeLimit the SQLite WAL size limit */
    public void setWalSizeLimit(DataSize walSizeLimit) {
        this.walSizeLimit = walSizeLimit;
    }

    /** @return the folder of pg_dump and pg_restore, or null for the PATH */
    public Path getPostgresClientTools() {
        return postgresClientTools;
    }

    /** @param postgresClientTools the folder of pg_dump and pg_restore */
    public void setPostgresClientTools(Path postgresClientTools) {
        this.postgresClientTools = postgresClientTools;
    }

    /** @return the read replicas' URLs, or null for DATABASE_REPLICA_URLS */
    public List<String> getReadReplicas() {
        return readReplicas;
    }

    /** @param readReplicas the read replicas' URLs */
    public void setReadReplicas(List<String> readReplicas) {
        this.readReplicas = readReplicas;
    }

    /** @return the lag limit, or null for the default */
    public Duration getMaxReplicaLag() {
        return maxReplicaLag;
    }

    /** @param maxReplicaLag the lag limit */
    public void setMaxReplicaLag(Duration maxReplicaLag) {
        this.maxReplicaLag = maxReplicaLag;
    }

    /** @return which reads may use replicas, or null for the default */
    public ReplicaReads getReplicaReads() {
        return replicaReads;
    }

    /** @param replicaReads which reads may use replicas */
    public void setReplicaReads(ReplicaReads replicaReads) {
        this.replicaReads = replicaReads;
    }
}
