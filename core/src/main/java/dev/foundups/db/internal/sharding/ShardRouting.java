package dev.foundups.db.internal.sharding;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import javax.sql.DataSource;

import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import dev.foundups.db.BackupResult;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.MigrationListener;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.moves.Moves;
import dev.foundups.db.internal.namespaces.SerialListener;
import dev.foundups.db.internal.namespaces.Template;
import dev.foundups.db.internal.naming.NamespaceName;
import dev.foundups.db.internal.routing.SqlStates;

/**
 * Sharding on one PostgreSQL database: the directory in the database {@code DATABASE_URL} names, the shards this
 * process has opened, and where each namespace and agent lives. Made for every PostgreSQL database, at the cost of
 * one query at open (does {@code foundupsdb_shards} have rows?): until the database is sharded, nothing here runs
 * and no call pays anything. Once sharded (at open, or when this process adds the first shard), a daemon thread
 * listens for placement changes and the database routes {@code foundUp}, {@code module}, the catalog and agent
 * calls through here.
 *
 * <p>The cost of a routed call: a map look-up in the placement cache and one in the shard map. The directory is
 * read on a cache miss (a namespace first used, or changed by a notification) and on a move's fence only.
 */
public final class ShardRouting implements AutoCloseable {

    /** Where a database's jOOQ configuration keeps its routing: see {@link #attachTo}. */
    private static final String KEY = ShardRouting.class.getName();

    private final ShardSettings settings;
    private final Directory directory;
    private final Map<String, Shard> shards = new ConcurrentHashMap<>();
    private final ShardedCatalog catalog = new ShardedCatalog(this);
    private final ShardAdmin admin = new ShardAdmin(this);
    /** Made on first use: only moves and drains need it. Guarded by this. */
    private NamespaceMover mover;
    private volatile boolean sharded;
    private volatile PlacementCache cache;
    private volatile MoveFence fence;
    /** Told of each shard's migration when this process opens it; shards open on any thread. */
    private final MigrationListener openListener;

    private ShardRouting(ShardSettings settings) {
        this.settings = settings;
        this.directory = new Directory(DSL.using(settings.base()));
        this.openListener = new SerialListener(settings.migrationListener());
    }

    /**
     * @param settings what shards are opened with
     * @return the routing; sharded when the directory has shards
     */
    public static ShardRouting open(ShardSettings settings) {
        ShardRouting routing = new ShardRouting(settings);
        if (routing.directory.sharded()) {
            routing.enable();
        }
        return routing;
    }

    /**
     * Keeps this routing in the database's configuration, as the read router is kept, so that machinery outside
     * the database's package (a copy onto this database) finds it from the database's context.
     *
     * @param configuration the configuration of the database's shared context
     */
    public void attachTo(Configuration configuration) {
        configuration.data(KEY, this);
    }

    /**
     * @param configuration a database's configuration
     * @return its routing; empty on SQLite
     */
    public static Optional<ShardRouting> of(Configuration configuration) {
        return Optional.ofNullable((ShardRouting) configuration.data(KEY));
    }

    /** @return the database as a copy's target, when it is sharded */
    public Optional<ShardedCopyTarget> copyTarget() {
        return sharded ? Optional.of(new ShardedCopyTarget(this)) : Optional.empty();
    }

    /** @return whether the database is sharded: calls are routed */
    public boolean sharded() {
        return sharded;
    }

    /** Turns routing on: at open on a sharded database, or when this process adds the first shard. */
    synchronized void enable() {
        if (sharded) {
            return;
        }
        cache = new PlacementCache(this::listenerConnection);
        fence = new MoveFence(directory, cache, settings.moveWaitTimeout());
        reloadShards();
        sharded = true;
    }

    /** @return the catalog operations across shards */
    public ShardedCatalog catalog() {
        return catalog;
    }

    /** @return adding, listing and checking shards */
    public ShardAdmin admin() {
        return admin;
    }

    /**
     * Backs up every shard: a folder with one {@code pg_dump} archive per shard and a manifest saying whether the
     * set is consistent. See {@link ShardedBackup}.
     *
     * @param target      the folder to create; must not exist
     * @param clientTools the folder of {@code pg_dump}, or null for the PATH
     * @return the set; empty when the directory has no shards (back up the single database as before)
     */
    public Optional<BackupResult> backup(Path target, Path clientTools) {
        // The directory, not this process's flag: another process may have added the first shard since this one
        // opened, and a backup of main alone would then silently miss the other shards.
        if (!sharded && !directory.sharded()) {
            return Optional.empty();
        }
        return Optional.of(new ShardedBackup(this).backup(target, clientTools));
    }

    synchronized NamespaceMover mover() {
        if (mover == null) {
            mover = NamespaceMover.of(this);
        }
        return mover;
    }

    Directory directory() {
        return directory;
    }

    ShardSettings settings() {
        return settings;
    }

    MoveFence fence() {
        return fence;
    }

    /** @return told of each shard's migration when this process opens it */
    MigrationListener openListener() {
        return openListener;
    }

    /**
     * The context of a namespace on its shard: placed and created there on first use.
     *
     * @see dev.foundups.db.internal.namespaces.Namespaces#context
     */
    public DSLContext context(NamespaceKind kind, String name, String template) {
        Placement.Kind placed = Placement.Kind.of(kind);
        Placement placement = cache.get(Placement.key(placed, name));
        if (placement == null) {
            placement = place(placed, name, null, template);
        }
        DSLContext context = shard(placement.shard()).open().namespaces().context(kind, name, template);
        if (placement.state() == Placement.State.PLACING) {
            activate(placement);
        }
        return context;
    }

    /**
     * The shared context of an agent's shard, for its {@code agents_*} rows.
     *
     * @param agentId the agent; patterns of no agent (null) stay on main
     * @param writing whether the caller writes: an agent without a placement is placed then; a read of one is
     *                answered by main, which holds no rows of it
     * @return the unmapped context of the agent's shard
     * @throws FoundupsDbException NAMESPACE_MOVED when the agent is being moved for longer than moveWaitTimeout
     */
    public DSLContext agent(String agentId, boolean writing) {
        Placement placement = agentId == null ? null
                : resolve(Placement.Kind.AGENT, agentId, null, writing ? Placement.State.ACTIVE : null);
        if (placement == null) {
            return shard(Directory.MAIN).open().dsl();
        }
        if (placement.state() == Placement.State.MOVING) {
            placement = fence.awaitAgent(placement);
        }
        return shard(placement.shard()).open().dsl();
    }

    /**
     * Runs one write of an agent's rows (its own transaction) on the agent's shard. When the write meets the fence
     * that a move of the agent left on its old shard (this process's copy of the directory was stale), nothing was
     * written there: it runs again where the directory now says, waiting while the agent is MOVING.
     *
     * @param agentId the agent
     * @param write   the write, given the agent's shard; it may run more than once
     * @param <T>     its result
     * @return what the write returned
     */
    public <T> T writeAgent(String agentId, Function<DSLContext, T> write) {
        for (int moves = 0; ; moves++) {
            try {
                return write.apply(agent(agentId, true));
            } catch (RuntimeException e) {
                if (moves >= PlacedDataSource.maxMoves() || !SqlStates.has(e, Moves.AGENT_FENCED)) {
                    throw e;
                }
                cache.invalidate(Placement.key(Placement.Kind.AGENT, agentId));
            }
        }
    }

    /**
     * Where something lives, placing it when it is new and {@code placeAs} is given.
     *
     * @param requested the shard to place it on, or null for the fewest rule
     * @param placeAs   the state of a new placement, or null to place nothing
     * @return its placement, or null when it has none and none was made
     */
    Placement resolve(Placement.Kind kind, String name, String requested, Placement.State placeAs) {
        Placement placement = lookup(kind, name, Placement.key(kind, name));
        if (placement != null || placeAs == null) {
            return placement;
        }
        if (requested != null) {
            requireActiveShard(requested);
        }
        long stamp = cache.stamp();
        placement = directory.place(kind, name, requested, placeAs);
        cache.remember(placement, stamp);
        return placement;
    }

    /** @return the placement from the cache, else from the directory (and kept); null when there is none */
    private Placement lookup(Placement.Kind kind, String name, String key) {
        Placement placement = cache.get(key);
        if (placement != null) {
            return placement;
        }
        long stamp = cache.stamp();
        Optional<Placement> row = directory.placement(kind, name);
        row.ifPresent(p -> cache.remember(p, stamp));
        return row.orElse(null);
    }

    /** Places a new namespace after checking its name, so that a bad name leaves no placement behind. */
    Placement place(Placement.Kind kind, String name, String requested, String template) {
        Template t = shard(Directory.MAIN).open().namespaces().templates().require(kind.namespaceKind(), template);
        NamespaceName.validate(kind.namespaceKind(), name, t.maxNameLength());
        return resolve(kind, name, requested, Placement.State.PLACING);
    }

    /** Marks a placement whose tables now exist ACTIVE. */
    void activate(Placement placement) {
        long stamp = cache.stamp();
        directory.activate(placement.kind(), List.of(placement.name()));
        cache.remember(new Placement(placement.kind(), placement.name(), placement.shard(), placement.epoch(),
                Placement.State.ACTIVE), stamp);
    }

    /** Forgets a placement, here at once and in other processes by notification. */
    void forget(Placement.Kind kind, String name) {
        directory.forget(kind, name);
        cache.invalidate(Placement.key(kind, name));
    }

    /** @return the placement a namespace context borrows for: cached, else read; never waits */
    Placement current(Placement.Kind kind, String name, String key, String home) {
        Placement placement = lookup(kind, name, key);
        // Not placed (a renamed FoundUp's old id): where its context was built.
        return placement != null ? placement : new Placement(kind, name, home, 0, Placement.State.ACTIVE);
    }

    /** @return a shard's pool, the shard opened now if it was not */
    DataSource pool(String shard) {
        return shard(shard).open().pool();
    }

    /**
     * @param name a shard's name
     * @return the shard; the directory is read again when this process does not know it yet
     * @throws FoundupsDbException INVALID_INPUT when there is no such shard
     */
    Shard shard(String name) {
        Shard shard = shards.get(name);
        if (shard == null) {
            reloadShards();
            shard = shards.get(name);
            if (shard == null) {
                throw new FoundupsDbException(ErrorCode.INVALID_INPUT, "there is no shard '" + name + "'; the shards "
                        + "are: " + String.join(", ", shards.keySet().stream().sorted().toList()));
            }
        }
        return shard;
    }

    /** @return every shard, by name */
    List<Shard> shards() {
        reloadShards();
        List<Shard> all = new ArrayList<>(shards.values());
        all.sort((a, b) -> a.name().compareTo(b.name()));
        return all;
    }

    /** Refuses a named shard that does not exist or takes no new placements. */
    void requireActiveShard(String name) {
        for (Directory.ShardRow row : directory.shards()) {
            if (row.name().equals(name)) {
                if (!Directory.SHARD_ACTIVE.equals(row.state())) {
                    throw new FoundupsDbException(ErrorCode.INVALID_INPUT, "shard '" + name + "' is " + row.state()
                            .toLowerCase() + " and takes no new namespaces or agents; name another shard");
                }
                return;
            }
        }
        throw new FoundupsDbException(ErrorCode.INVALID_INPUT, "there is no shard '" + name + "'; see 'foundups-db "
                + "shard list'");
    }

    /** Learns the shards the directory lists and this process does not know yet. */
    synchronized void reloadShards() {
        for (Directory.ShardRow row : directory.shards()) {
            shards.computeIfAbsent(row.name(), name -> new Shard(name, Directory.MAIN.equals(name) ? null
                    : DatabaseUrl.parse(row.url(), "the URL of shard '" + name + "'"), this));
        }
    }

    /** The listener's own connection to the directory's database, outside the pool. */
    private Connection listenerConnection() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("ApplicationName", "foundups-db-placements");
        return settings.mainUrl().connect(properties);
    }

    /** Stops listening and closes every shard's pool but main's. */
    @Override
    public void close() {
        PlacementCache c = cache;
        if (c != null) {
            c.close();
        }
        for (Shard shard : shards.values()) {
            shard.close();
        }
    }
}
