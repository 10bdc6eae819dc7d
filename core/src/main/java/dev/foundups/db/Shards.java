package dev.foundups.db;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import org.jooq.DSLContext;

import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.sharding.ShardRouting;

/**
 * The shards of a PostgreSQL database, from {@link FoundupsDb#shards()}. A shard is a PostgreSQL database that
 * holds whole namespaces and agents; the database {@code DATABASE_URL} names keeps the directory of which shard
 * holds what, and is itself the shard {@code main}. Until the first shard is added the database is a plain single
 * server. Once sharded, {@link FoundupsDb#foundUp(String)}, {@link FoundupsDb#module(String)}, the
 * {@link NamespaceCatalog} and the {@link AgentMemory} calls that name an agent run on the right shard, with the same
 * code; {@link FoundupsDb#dsl()} stays on main.
 *
 * <pre>
 * db.shards().add("shard_2", "postgresql://fu:pw@db2:5432/foundups");
 * db.catalog().create(NamespaceKind.FOUNDUP, "youtube_bot", "shard_2");  // or db.foundUp(id): fewest placements
 * List&lt;String&gt; agents = db.shards().query(dsl -&gt;                       // on every shard, merged
 *         dsl.select(AGENTS_AWAKENING.AGENT_ID).from(AGENTS_AWAKENING).fetch(Record1::value1));
 * </pre>
 *
 * <p>SQLite has no shards: {@link #add} is refused there, {@link #list()} is empty and {@link #query} runs on the
 * one database.
 */
public final class Shards {

    /** Null on SQLite. */
    private final ShardRouting routing;
    private final DatabaseUrl url;
    /** The setting the database's URL came from, such as {@code DATABASE_URL (environment)}: for messages. */
    private final String setting;
    private final DSLContext dsl;

    Shards(ShardRouting routing, DatabaseUrl url, String setting, DSLContext dsl) {
        this.routing = routing;
        this.url = url;
        this.setting = setting;
        this.dsl = dsl;
    }

    /**
     * Adds a shard: checks that it can be reached, that it is not main's database and holds no FoundUps DB data,
     * applies the shared changelog there, and records it in the directory. The first shard added makes the database
     * sharded: it also records {@code main} and places every existing namespace and agent on main. Other processes
     * that opened the database before that keep running unsharded until they open it again.
     *
     * @param name the shard's name: lower-case letters, digits and underscores, starting with a letter
     * @param url  the shard's PostgreSQL database, in any form {@code DATABASE_URL} accepts; its password is kept
     *             in the directory and never printed
     * @return the shard as {@link #list()} shows it
     * @throws FoundupsDbException CONFIGURATION on SQLite, or for a SQLite or malformed URL; INVALID_NAME;
     *                             NAME_CONFLICT when the name is taken; INVALID_INPUT when the database is main's
     *                             or holds data; DB_CONNECTION when it cannot be reached
     */
    public ShardInfo add(String name, String url) {
        Objects.requireNonNull(url, "url");
        return routing().admin().add(name, url);
    }

    /** @return the shards with their placement counts, by name; empty when the database is not sharded */
    public List<ShardInfo> list() {
        return routing == null || !routing.sharded() ? List.of() : routing.admin().list();
    }

    /**
     * Connects to every shard and reads its catalog: which are reachable, and the namespaces each holds.
     *
     * @return one entry per shard, by name; empty when the database is not sharded
     */
    public List<ShardStatus> status() {
        return routing == null || !routing.sharded() ? List.of() : routing.admin().status();
    }

    /**
     * Moves every namespace and agent off a shard, one at a time (see {@link NamespaceCatalog#move}), each to the
     * shard with the fewest placements; the shard takes no new placements from the start. Stops at the first
     * failure; calling it again goes on from there.
     *
     * @param name the shard
     * @return what each move did, in order
     * @throws FoundupsDbException CONFIGURATION on SQLite or when no other shard takes placements; INVALID_INPUT
     *                             when there is no such shard; TRANSFER when a move failed
     */
    public List<MoveReport> drain(String name) {
        return routing().admin().drain(name);
    }

    /**
     * Moves one agent's rows ({@code agents_awakening}, {@code agents_memory}) to a shard. Agents move offline:
     * writes naming the agent wait until its rows are on the new shard.
     *
     * @param agentId the agent
     * @param shard   the shard to move it to
     * @return what the move did
     * @throws FoundupsDbException CONFIGURATION on SQLite; INVALID_INPUT for an unknown shard or agent
     */
    public MoveReport moveAgent(String agentId, String shard) {
        Objects.requireNonNull(agentId, "agentId");
        return routing().admin().moveAgent(agentId, shard);
    }

    /**
     * Drops what finished moves had to leave on a source shard that was down when they cleaned up: a replication
     * slot (which keeps WAL on that server until dropped), fenced tables, a publication.
     *
     * @return one line per move whose leftovers are still there because their shard is still down
     * @throws FoundupsDbException CONFIGURATION on SQLite
     */
    public List<String> cleanup() {
        return routing().admin().cleanup();
    }

    /**
     * Runs a query on every shard and merges the results: for the few questions that span all agents or all
     * namespaces. Each shard's context is unmapped, like {@link FoundupsDb#dsl()}: the {@code agents_*} tables
     * and any table by its physical name. The shards are asked one after another, in name order; the rows come in
     * that order and are not merged further (no global sort, limit, aggregate or join across shards: do that on
     * the merged list). A shard that fails fails the call. Unsharded, it runs on the one database.
     *
     * @param query what to run on each shard's context
     * @param <T>   the type of the rows
     * @return every shard's rows, shard after shard
     */
    public <T> List<T> query(Function<DSLContext, ? extends Collection<? extends T>> query) {
        Objects.requireNonNull(query, "query");
        if (routing == null || !routing.sharded()) {
            return new ArrayList<>(query.apply(dsl));
        }
        return routing.admin().query(query);
    }

    /** Imports write to main in one transaction, which on a sharded database may not be where their rows belong. */
    void refuseImport(String what) {
        if (routing != null && routing.sharded()) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, "cannot import " + what + " into a sharded "
                    + "database: import it before adding the first shard");
        }
    }

    private ShardRouting routing() {
        if (routing == null) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, "sharding needs PostgreSQL: " + setting
                    + " names the SQLite database " + url + "; set it to a PostgreSQL database "
                    + "(postgresql://user:password@host:5432/database) to add shards");
        }
        return routing;
    }

    @Override
    public String toString() {
        return "shards of " + url;
    }
}
