package dev.foundups.db.internal.sharding;

import javax.sql.DataSource;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DataSources;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.migration.SharedSchema;
import dev.foundups.db.internal.namespaces.ContextConnections;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.namespaces.TemplateRegistry;

/**
 * One shard's resources in this process: its pool, an unmapped context on it, and the namespaces machinery of its
 * catalog. Opened on first use: a process pays only for the shards it touches. Opening applies the shared changelog
 * there (and, with {@code migrateOnOpen}, pending template changes to its namespaces), as opening the database does
 * on main. A shard that cannot be opened is tried again on its next use.
 *
 * <p>A seam for later: a shard with read replicas would open a router here, as the database does for main.
 */
final class Shard implements AutoCloseable {

    /** The opened resources. */
    record Opened(DataSource pool, DSLContext dsl, Namespaces namespaces) {
    }

    private final String name;
    /** The shard's database; null for main, whose pool belongs to the database. */
    private final DatabaseUrl url;
    private final ShardRouting routing;
    private final ShardSettings settings;
    private volatile Opened opened;
    private HikariDataSource ownPool;

    Shard(String name, DatabaseUrl url, ShardRouting routing) {
        this.name = name;
        this.url = url;
        this.routing = routing;
        this.settings = routing.settings();
    }

    /** @return the shard's name */
    String name() {
        return name;
    }

    /**
     * @return the shard's resources, opened now if they were not
     * @throws FoundupsDbException DB_CONNECTION naming the shard when it cannot be reached; MIGRATION when its
     *                             shared changelog cannot be applied
     */
    Opened open() {
        Opened o = opened;
        if (o != null) {
            return o;
        }
        synchronized (this) {
            if (opened == null) {
                opened = url == null ? openMain() : openOther();
            }
            return opened;
        }
    }

    private Opened openMain() {
        // The database has brought main up to date already when it opened.
        DSLContext dsl = DSL.using(settings.base());
        return new Opened(settings.mainPool(), dsl, namespaces(dsl));
    }

    private Opened openOther() {
        HikariDataSource pool;
        try {
            pool = DataSources.open(url, settings.poolSize(), settings.busyTimeout(), settings.walSizeLimit());
        } catch (FoundupsDbException e) {
            throw new FoundupsDbException(e.errorCode(), "shard '" + name + "': " + e.getMessage(), e);
        }
        try {
            DSLContext dsl = DSL.using(settings.base().derive(new DataSourceConnectionProvider(pool)));
            Namespaces namespaces = namespaces(dsl);
            if (settings.schemaChangesOnOpen()) {
                try (MigrationLock lock = MigrationLock.advisory(pool)) {
                    SharedSchema.update(pool, settings.classLoader());
                    if (settings.migrateOnOpen()) {
                        namespaces.migrate(routing.openListener());
                    }
                }
            }
            ownPool = pool;
            return new Opened(pool, dsl, namespaces);
        } catch (RuntimeException e) {
            pool.close();
            if (e instanceof FoundupsDbException f) {
                throw new FoundupsDbException(f.errorCode(), "shard '" + name + "': " + f.getMessage(), f);
            }
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "shard '" + name + "' (" + url + "): "
                    + DatabaseUrl.mask(String.valueOf(e.getMessage())), e);
        }
    }

    /** The namespaces of the shard's catalog: their contexts borrow connections wherever a namespace is placed. */
    private Namespaces namespaces(DSLContext dsl) {
        ContextConnections connections = (kind, namespace) -> new DataSourceConnectionProvider(
                new PlacedDataSource(routing, Placement.Kind.of(kind), namespace, name));
        return new Namespaces(dsl, settings.mainUrl().strategy(), new TemplateRegistry(settings.mainUrl().dialect(),
                settings.classLoader(), dsl), Namespaces.parallelism(settings.migrationParallelism(),
                settings.poolSize()), connections);
    }

    /** Closes the shard's own pool (main's belongs to the database). */
    @Override
    public synchronized void close() {
        if (ownPool != null) {
            ownPool.close();
        }
    }

    @Override
    public String toString() {
        return "shard " + name;
    }
}
