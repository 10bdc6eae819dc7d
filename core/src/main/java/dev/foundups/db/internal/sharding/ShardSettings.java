package dev.foundups.db.internal.sharding;

import java.time.Duration;

import org.jooq.Configuration;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.MigrationListener;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * What the shards of a database are opened with: the directory's own database and the settings of the
 * {@code FoundupsDb} that opens them.
 *
 * @param mainUrl              the database {@code DATABASE_URL} names: the directory, and shard {@code main}
 * @param mainPool             its pool, shared with the database (not closed by the shards)
 * @param base                 the database's configuration before any read routing: settings, listener, the
 *                             compiled-statement caches; each shard derives its own with its pool
 * @param classLoader          where the changelogs and templates are
 * @param poolSize             each shard's pool size
 * @param busyTimeout          as the database's
 * @param walSizeLimit         as the database's
 * @param migrationParallelism as the database's
 * @param schemaChangesOnOpen  whether opening a shard applies the shared changelog there
 * @param migrateOnOpen        whether opening a shard brings its namespaces up to date with their templates
 * @param migrationListener    told of that migration
 * @param moveWaitTimeout      how long a statement that met a moved namespace waits for the move to end
 */
public record ShardSettings(DatabaseUrl mainUrl, HikariDataSource mainPool, Configuration base,
                            ClassLoader classLoader, int poolSize, Duration busyTimeout, long walSizeLimit,
                            int migrationParallelism, boolean schemaChangesOnOpen, boolean migrateOnOpen,
                            MigrationListener migrationListener, Duration moveWaitTimeout) {
}
