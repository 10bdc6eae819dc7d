package dev.foundups.db;

import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.DefaultConfiguration;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.internal.config.DataSources;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.config.JooqSettings;
import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.migration.OpeningWork;
import dev.foundups.db.internal.migration.SharedSchema;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.namespaces.TemplateRegistry;
import dev.foundups.db.internal.routing.ReplicaSettings;
import dev.foundups.db.internal.routing.Router;
import dev.foundups.db.internal.sharding.ShardRouting;
import dev.foundups.db.internal.sharding.ShardSettings;

/**
 * What an open {@link FoundupsDb} holds, made by {@link #open} in the order opening needs and closed together: the
 * pool, the shared context with the write path and read routing installed in its configuration, the namespaces, and
 * sharding. The builder holds the settings; this holds what they opened.
 *
 * @param dataSource the connection pool
 * @param dsl        the shared context
 * @param namespaces the namespaces of main's catalog
 * @param upgrade    what opening did to bring existing namespaces up to date; null when it did not migrate them
 * @param writePath  SQLite's write discipline, or null
 * @param router     read routing on a replicated PostgreSQL database; null when every statement goes to one server
 * @param sharding   sharding, on PostgreSQL (routing only once the database is sharded); null on SQLite
 */
record DatabaseResources(HikariDataSource dataSource, DSLContext dsl, Namespaces namespaces, MigrationReport upgrade,
                         AutoCloseable writePath, Router router, ShardRouting sharding) implements AutoCloseable {

    /**
     * Connects, then brings the schema up to date; closes what it opened when a step fails.
     *
     * @param builder the settings
     * @param url     the database, resolved from them
     * @return the resources, ready for use
     * @throws FoundupsDbException CONFIGURATION for replica settings the database cannot have; DB_CONNECTION,
     *                             MIGRATION
     */
    static DatabaseResources open(FoundupsDbBuilder builder, DatabaseUrl url) {
        ReplicaSettings replicas = ReplicaSettings.resolve(builder.readReplicas, builder.readReplicasSetting,
                builder.maxReplicaLag, builder.replicaReads, builder.environment);
        DialectStrategy strategy = url.strategy();
        strategy.checkReplicaSettings(replicas, url);
        int poolSize = builder.maximumPoolSize > 0 ? builder.maximumPoolSize : strategy.defaultPoolSize();
        // Side by side with connecting, which on SQLite parses the whole schema.
        OpeningWork opening = OpeningWork.start(builder.classLoader, strategy.jooqDialect(),
                JooqSettings.base());
        HikariDataSource dataSource = DataSources.open(url, poolSize, builder.busyTimeout, builder.walSizeLimit);
        AutoCloseable writePath = null;
        Router router = null;
        ShardRouting sharding = null;
        try {
            DefaultConfiguration configuration = new DefaultConfiguration();
            configuration.set(new DataSourceConnectionProvider(dataSource));
            configuration.set(strategy.jooqDialect());
            configuration.set(JooqSettings.base());
            configuration.data(DatabaseListener.class, GuardedListener.of(builder.listener)); // see DatabaseListener.of
            if (builder.metricRegistry != null) {
                dataSource.setMetricRegistry(builder.metricRegistry); // HikariCP's own pool metrics
            }
            CompiledQuery.enable(configuration);
            // What each shard's configuration derives from: before read routing, which is main's alone.
            Configuration base = configuration.derive();
            // Before any context derives from the configuration, so module code and users' queries follow it (on
            // SQLite: one writer at a time, in this JVM and across processes, and the WAL kept in bounds).
            writePath = strategy.installWritePath(configuration, url, dataSource, builder.busyTimeout,
                    builder.walSizeLimit);
            // Read replicas: reads outside transactions to standbys, the rest to the primary. Also before any context.
            router = strategy.installReadRouting(configuration, url, dataSource, replicas, poolSize);
            DSLContext dsl = DSL.using(configuration);
            Namespaces namespaces = new Namespaces(dsl, strategy, new TemplateRegistry(url.dialect(),
                    builder.classLoader, dsl, opening::schemaFiles), Namespaces.parallelism(
                    builder.migrationParallelism, poolSize));
            MigrationReport upgrade = null;
            if (builder.schemaChangesOnOpen) {
                try (MigrationLock lock = MigrationLock.acquire(url, dataSource)) {
                    SharedSchema.update(dataSource, builder.classLoader, opening::schemaFiles);
                    upgrade = builder.migrateOnOpen ? namespaces.migrate(builder.migrationListener) : null;
                }
            }
            sharding = sharding(builder, url, dataSource, base, poolSize);
            if (sharding != null) {
                sharding.attachTo(configuration); // a copy onto this database reaches the shards through it
            }
            if (router != null) {
                router.opened(); // until now every read ran on the primary, which opening may have changed
            }
            return new DatabaseResources(dataSource, dsl, namespaces, upgrade, writePath, router, sharding);
        } catch (RuntimeException e) {
            closeQuietly(sharding, e);
            closeQuietly(router, e);
            closeQuietly(writePath, e);
            dataSource.close();
            throw e;
        }
    }

    /** Sharding with these settings, as the dialect has it (on PostgreSQL, one query: is it sharded?). */
    private static ShardRouting sharding(FoundupsDbBuilder builder, DatabaseUrl url, HikariDataSource pool,
                                         Configuration base, int poolSize) {
        return url.strategy().openSharding(new ShardSettings(url, pool, base, builder.classLoader, poolSize,
                builder.busyTimeout, builder.walSizeLimit, builder.migrationParallelism, builder.schemaChangesOnOpen,
                builder.migrateOnOpen, builder.migrationListener, builder.moveWaitTimeout));
    }

    /** Closes sharding, read routing, the write path, then the pool. */
    @Override
    public void close() {
        closeQuietly(sharding, null);
        closeQuietly(router, null);
        closeQuietly(writePath, null);
        dataSource.close();
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
}
