package dev.foundups.db.internal.sharding;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_SHARDS;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.MoveReport;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.ShardInfo;
import dev.foundups.db.ShardStatus;
import dev.foundups.db.internal.config.DataSources;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.migration.SharedSchema;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.naming.ShardName;

/** Adding, listing and checking shards, and queries on every shard. */
public final class ShardAdmin {

    /** Identifies a database: the same name on the same server (port and start time). */
    static final String IDENTITY = "SELECT current_database(), inet_server_port(), pg_postmaster_start_time()";

    private final ShardRouting routing;

    ShardAdmin(ShardRouting routing) {
        this.routing = routing;
    }

    /**
     * Adds a shard: checks that it can be reached, is another database than main and holds nothing yet, applies
     * the shared changelog there, and registers it. The first shard added also registers {@code main} and places
     * everything main holds on main; from then on this process routes.
     *
     * @param name the shard's name
     * @param url  its database URL, PostgreSQL
     * @return the shard as listed
     */
    public ShardInfo add(String name, String url) {
        ShardName.validate(name);
        if (Directory.MAIN.equals(name)) {
            throw new FoundupsDbException(ErrorCode.INVALID_NAME, "shard name 'main' is taken by the database "
                    + "DATABASE_URL names, which holds the directory; choose another name");
        }
        String setting = "the URL of shard '" + name + "'";
        DatabaseUrl parsed = DatabaseUrl.parse(url, setting);
        parsed.strategy().requirePostgres(setting, "a shard must be a PostgreSQL database, such as "
                + "postgresql://user:password@host:5432/database");
        ShardSettings settings = routing.settings();
        try (HikariDataSource pool = DataSources.open(parsed, 2, settings.busyTimeout(), settings.walSizeLimit())) {
            DSLContext shard = DSL.using(pool, SQLDialect.POSTGRES);
            DSLContext main = DSL.using(settings.mainPool(), SQLDialect.POSTGRES);
            if (Arrays.equals(shard.fetchOne(IDENTITY).intoArray(), main.fetchOne(IDENTITY).intoArray())) {
                throw new FoundupsDbException(ErrorCode.INVALID_INPUT, setting + " names the database DATABASE_URL "
                        + "names, which is shard 'main' already; create another database for the shard");
            }
            try (MigrationLock lock = MigrationLock.advisory(pool)) {
                SharedSchema.update(pool, settings.classLoader());
            }
            requireEmpty(shard, setting);
        } catch (FoundupsDbException e) {
            throw e.errorCode() == ErrorCode.DB_CONNECTION ? new FoundupsDbException(ErrorCode.DB_CONNECTION,
                    "cannot add shard '" + name + "': " + e.getMessage(), e) : e;
        }
        if (!routing.directory().addShard(name, url)) {
            throw new FoundupsDbException(ErrorCode.NAME_CONFLICT, "there is a shard '" + name + "' already; see "
                    + "'foundups-db shard list'");
        }
        routing.enable();
        routing.reloadShards();
        return list().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** @return the shards with their placement counts, by name; empty while the database is not sharded */
    public List<ShardInfo> list() {
        Map<String, int[]> counts = routing.directory().counts();
        List<ShardInfo> shards = new ArrayList<>();
        for (Directory.ShardRow row : routing.directory().shards()) {
            int[] n = counts.getOrDefault(row.name(), new int[2]);
            String url = Directory.MAIN.equals(row.name()) ? routing.settings().mainUrl().toString()
                    : DatabaseUrl.parse(row.url(), "the URL of shard '" + row.name() + "'").toString();
            shards.add(new ShardInfo(row.name(), url, ShardInfo.State.valueOf(row.state()), n[0], n[1]));
        }
        return shards;
    }

    /** @return every shard as it is now: reached or not, and its namespaces */
    public List<ShardStatus> status() {
        Map<String, Placement> placements = routing.directory().namespacePlacements();
        List<ShardStatus> all = new ArrayList<>();
        for (ShardInfo info : list()) {
            try {
                Namespaces namespaces = routing.shard(info.name()).open().namespaces();
                all.add(new ShardStatus(info, Optional.empty(), placedHere(info.name(), namespaces.list(), placements),
                        placedHere(info.name(), namespaces.pending(), placements)));
            } catch (RuntimeException e) {
                all.add(new ShardStatus(info, Optional.of(DatabaseUrl.mask(String.valueOf(e.getMessage()))),
                        List.of(), List.of()));
            }
        }
        return all;
    }

    /**
     * Runs a query on every shard, one after another in name order, and merges what each returned.
     *
     * @param query given each shard's unmapped context
     * @return every shard's rows, shard after shard
     */
    public <T> List<T> query(Function<DSLContext, ? extends Collection<? extends T>> query) {
        List<T> merged = new ArrayList<>();
        for (Shard shard : routing.shards()) {
            merged.addAll(query.apply(shard.open().dsl()));
        }
        return merged;
    }

    /** Moves everything off a shard. */
    public List<MoveReport> drain(String name) {
        routing.shard(ShardName.validate(name));
        return routing.mover().drain(name);
    }

    /** Moves one agent's rows to a shard. */
    public MoveReport moveAgent(String agentId, String shard) {
        return routing.mover().move(Placement.Kind.AGENT, agentId, shard);
    }

    /** @return lines for what finished moves left on sources that are still down */
    public List<String> cleanup() {
        return routing.mover().dropLeftovers();
    }

    /** Of a shard's catalog rows, those the directory places on that shard (main keeps unplaced ones). */
    static List<NamespaceInfo> placedHere(String shard, List<NamespaceInfo> rows, Map<String, Placement> placements) {
        List<NamespaceInfo> placed = new ArrayList<>();
        for (NamespaceInfo info : rows) {
            Placement p = placements.get(Placement.key(Placement.Kind.of(info.kind()), info.name()));
            if (p == null ? Directory.MAIN.equals(shard) : p.shard().equals(shard)) {
                placed.add(info);
            }
        }
        return placed;
    }

    /** A new shard must hold nothing of FoundUps DB: it may be another database's directory or shard. */
    private static void requireEmpty(DSLContext shard, String setting) {
        int namespaces = shard.fetchCount(FOUNDUPSDB_NAMESPACES,
                FOUNDUPSDB_NAMESPACES.STATE.ne(NamespaceState.DROPPED.catalogValue()));
        boolean held = namespaces > 0 || shard.fetchExists(FOUNDUPSDB_SHARDS) || shard.fetchExists(AGENTS_AWAKENING)
                || shard.fetchExists(AGENTS_MEMORY);
        if (held) {
            throw new FoundupsDbException(ErrorCode.INVALID_INPUT, setting + " names a database that holds FoundUps "
                    + "DB data already (" + namespaces + " namespace(s), agents or shards): a shard must start empty. "
                    + "Create a new database for it");
        }
    }
}
