package dev.foundups.db.internal.sharding;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jooq.DSLContext;

import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.namespaces.Namespaces;

/**
 * A sharded database as the target of a copy ({@code dev.foundups.db.copy}): what the copy needs of the directory
 * and the shards. The copy places every namespace and agent with the directory's own rule for new ones
 * ({@link Directory#placeAll}: the fewest placements), creates namespaces on their shards from their templates
 * ({@link ShardedCatalog#placeAndCreate}), and then fills each shard's tables itself, on the shard's unrouted
 * context.
 *
 * <p>New placements stay {@code PLACING} until the copy has filled their tables and calls {@link #activate}: while a
 * namespace's tables are half-filled no move or drain takes it (a move starts only from {@code ACTIVE}), and a copy
 * run again finds it on the shard the first run chose.
 */
public final class ShardedCopyTarget {

    /** The shard that holds the directory: the database {@code DATABASE_URL} names. */
    public static final String MAIN = Directory.MAIN;

    private final ShardRouting routing;

    ShardedCopyTarget(ShardRouting routing) {
        this.routing = routing;
    }

    /** @return every shard's name, {@code main} first, then by name */
    public List<String> shards() {
        List<String> names = new ArrayList<>();
        names.add(MAIN);
        routing.shards().stream().map(Shard::name).filter(name -> !MAIN.equals(name)).forEach(names::add);
        return names;
    }

    /**
     * Opens every shard now (its pool, and its shared tables brought up to date), so that a shard that cannot be
     * reached fails the copy before anything is placed.
     *
     * @throws dev.foundups.db.FoundupsDbException DB_CONNECTION naming the first shard that cannot be reached
     */
    public void open() {
        routing.shards().forEach(Shard::open);
    }

    /**
     * @param shard a shard's name
     * @return its unmapped context, outside any routing: the copy writes physical table names
     */
    public DSLContext dsl(String shard) {
        return routing.shard(shard).open().dsl();
    }

    /**
     * @param shard a shard's name
     * @return the namespaces machinery of its catalog
     */
    public Namespaces namespaces(String shard) {
        return routing.shard(shard).open().namespaces();
    }

    /**
     * Places namespaces of one template by the fewest rule (those placed already keep their shard) and creates
     * them there; they stay PLACING until {@link #activate}.
     *
     * @return each name's shard
     */
    public Map<String, String> create(NamespaceKind kind, List<String> names, String template) {
        return shardsOf(routing.catalog().placeAndCreate(kind, names, template).placements());
    }

    /**
     * Places namespaces on one shard, creating nothing (the copy makes their tables); PLACING until
     * {@link #activate}. Those placed already keep their shard.
     *
     * @return each name's shard
     */
    public Map<String, String> placeOn(NamespaceKind kind, List<String> names, String shard) {
        return shardsOf(routing.directory().placeAll(Placement.Kind.of(kind), names, shard));
    }

    /**
     * Places agents by the fewest rule, as their first write would; PLACING until {@link #activateAgents}.
     *
     * @return each agent's shard
     */
    public Map<String, String> placeAgents(List<String> agents) {
        return shardsOf(routing.directory().placeAll(Placement.Kind.AGENT, agents, null));
    }

    /** @return the shard of each of these namespaces that is placed; the others are missing from the map */
    public Map<String, String> placed(NamespaceKind kind, Collection<String> names) {
        return lookUp(Placement.Kind.of(kind), names);
    }

    /** @return the shard of each of these agents that is placed; the others are missing from the map */
    public Map<String, String> placedAgents(Collection<String> agents) {
        return lookUp(Placement.Kind.AGENT, agents);
    }

    /** Marks namespaces whose tables the copy has filled as placed: routing and moves take them from now on. */
    public void activate(NamespaceKind kind, Collection<String> names) {
        routing.directory().activate(Placement.Kind.of(kind), names);
    }

    /** Marks agents whose rows the copy has written as placed. */
    public void activateAgents(Collection<String> agents) {
        routing.directory().activate(Placement.Kind.AGENT, agents);
    }

    private Map<String, String> lookUp(Placement.Kind kind, Collection<String> names) {
        List<String> all = List.copyOf(names);
        Map<String, String> shards = new HashMap<>();
        for (int from = 0; from < all.size(); from += Directory.CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + Directory.CHUNK));
            shards.putAll(shardsOf(routing.directory().placements(kind, chunk)));
        }
        return shards;
    }

    private static Map<String, String> shardsOf(Map<String, Placement> placements) {
        Map<String, String> shards = new HashMap<>();
        placements.forEach((name, placement) -> shards.put(name, placement.shard()));
        return shards;
    }
}
