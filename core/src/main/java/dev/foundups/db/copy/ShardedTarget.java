package dev.foundups.db.copy;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.copy.SourceDatabase.Plan;
import dev.foundups.db.internal.namespaces.CatalogRows;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.sharding.ShardedCopyTarget;

/**
 * A sharded target: each namespace and agent of the source is placed as a new one would be, and its rows go to its
 * shard.
 *
 * <ul>
 *   <li>Modules and FoundUps are placed by the directory's rule (the active shard with the fewest placements), in
 *       the source catalog's order, and created on their shard from their templates. A module imported from a
 *       legacy database goes to {@code main}: it has no template to create it (or move it) elsewhere, and it is
 *       read through {@code db.dsl()}, which is main's. A dropped namespace has no tables: its catalog row, the
 *       name's history, goes to main unplaced.</li>
 *   <li>Agents are placed by the same rule after the namespaces; an agent's {@code agents_awakening} and
 *       {@code agents_memory} rows go to its shard, patterns of no agent to main. {@code agents_errors} (shared
 *       by every agent) and {@code foundupsdb_imports} stay on main, as on any sharded database.</li>
 *   <li>Everything placed here is PLACING until {@link #finish()}: no move takes it while its tables fill, and a
 *       rerun finds it where this run put it.</li>
 * </ul>
 *
 * The shared tables and the catalog have a unit on every shard, so that the verification also sees rows a shard
 * should not hold.
 */
final class ShardedTarget implements CopyDestination {

    /** Most agent ids or names per source query. */
    private static final int CHUNK = 1_000;
    private static final Field<String> AGENT_ID = DSL.field(AGENTS_AWAKENING.AGENT_ID.getUnqualifiedName(),
            String.class);
    private static final Field<String> KIND = DSL.field(FOUNDUPSDB_NAMESPACES.KIND.getUnqualifiedName(),
            String.class);
    private static final Field<String> NAME = DSL.field(FOUNDUPSDB_NAMESPACES.NAME.getUnqualifiedName(),
            String.class);

    private final ShardedCopyTarget cluster;
    private final DatabaseCopy.CopySettings settings;
    /** The source's namespaces that have tables, by label ({@code kind:name}). */
    private final Map<String, NamespaceInfo> live = new LinkedHashMap<>();
    /** Their shards, by label. */
    private final Map<String, String> namespaceShards = new HashMap<>();
    /** Each agent's shard, by id. */
    private final Map<String, String> agentShards = new TreeMap<>();

    ShardedTarget(ShardedCopyTarget cluster, DatabaseCopy.CopySettings settings) {
        this.cluster = cluster;
        this.settings = settings;
    }

    @Override
    public List<CopyUnit> provision(SourceDatabase source, Plan plan) {
        liveNamespaces(plan);
        Map<String, List<NamespaceInfo>> byTemplate = new LinkedHashMap<>();
        List<String> imported = new ArrayList<>();
        for (NamespaceInfo ns : live.values()) {
            if (CatalogRows.NO_TEMPLATE.equals(ns.template())) {
                imported.add(ns.name());
            } else {
                byTemplate.computeIfAbsent(ns.kind().catalogValue() + ":" + ns.template(), k -> new ArrayList<>())
                        .add(ns);
            }
        }
        // Imported modules first, so that the rule counts them when it places the rest.
        if (!imported.isEmpty()) {
            remember(NamespaceKind.MODULE, cluster.placeOn(NamespaceKind.MODULE, imported, ShardedCopyTarget.MAIN));
            Namespaces main = cluster.namespaces(ShardedCopyTarget.MAIN);
            for (String name : imported) {
                if (main.find(NamespaceKind.MODULE, name).isEmpty()) {
                    SingleTarget.createImported(cluster.dsl(ShardedCopyTarget.MAIN), main.rows(),
                            live.get(NamespaceKind.MODULE.catalogValue() + ":" + name),
                            plan.imported().getOrDefault(name, List.of()));
                }
            }
        }
        // Per template, as bulk creation: placed one after another by the fewest rule, created shard by shard.
        for (List<NamespaceInfo> group : byTemplate.values()) {
            NamespaceInfo first = group.get(0);
            remember(first.kind(), cluster.create(first.kind(), group.stream().map(NamespaceInfo::name).toList(),
                    first.template()));
        }
        agentShards.putAll(cluster.placeAgents(source.agents()));
        keepHistory(plan);
        return units(plan);
    }

    @Override
    public List<CopyUnit> existing(SourceDatabase source, Plan plan) {
        liveNamespaces(plan);
        for (NamespaceKind kind : NamespaceKind.values()) {
            List<String> names = live.values().stream().filter(ns -> ns.kind() == kind).map(NamespaceInfo::name)
                    .toList();
            remember(kind, cluster.placed(kind, names));
        }
        List<String> agents = source.agents();
        Map<String, String> placed = cluster.placedAgents(agents);
        // An agent without a placement is read on main, so that is where its rows would have to be.
        agents.forEach(agent -> agentShards.put(agent, placed.getOrDefault(agent, ShardedCopyTarget.MAIN)));
        return units(plan);
    }

    /** Makes every shard's copied tables durable, then marks what this copy placed as placed. */
    @Override
    public void finish() {
        for (String shard : cluster.shards()) {
            settings.target().strategy().makeDurable(cluster.dsl(shard));
        }
        for (NamespaceKind kind : NamespaceKind.values()) {
            cluster.activate(kind, live.values().stream().filter(ns -> ns.kind() == kind).map(NamespaceInfo::name)
                    .toList());
        }
        cluster.activateAgents(agentShards.keySet());
    }

    @Override
    public List<CopyReport.ShardResult> shards(List<CopyReport.TableResult> tables) {
        List<CopyReport.ShardResult> shards = new ArrayList<>();
        for (String shard : cluster.shards()) {
            List<String> modules = namesOn(shard, NamespaceKind.MODULE);
            List<String> foundUps = namesOn(shard, NamespaceKind.FOUNDUP);
            List<String> agents = agentShards.entrySet().stream().filter(e -> e.getValue().equals(shard))
                    .map(Map.Entry::getKey).toList();
            List<CopyReport.TableResult> here = tables.stream().filter(t -> shard.equals(t.shard()))
                    .filter(t -> !t.table().equals(FOUNDUPSDB_NAMESPACES.getName())).toList();
            shards.add(new CopyReport.ShardResult(shard, modules, foundUps, agents, here.size(),
                    here.stream().mapToLong(CopyReport.TableResult::sourceRows).sum()));
        }
        return shards;
    }

    private void liveNamespaces(Plan plan) {
        for (NamespaceInfo ns : plan.namespaces()) {
            if (ns.state() != NamespaceState.DROPPED) {
                live.put(ns.label(), ns);
            }
        }
    }

    private void remember(NamespaceKind kind, Map<String, String> shards) {
        shards.forEach((name, shard) -> namespaceShards.put(kind.catalogValue() + ":" + name, shard));
    }

    /** The catalog entries keep the source's times, on their namespace's shard; dropped ones go to main. */
    private void keepHistory(Plan plan) {
        Map<String, List<NamespaceInfo>> byShard = new LinkedHashMap<>();
        for (NamespaceInfo ns : plan.namespaces()) {
            byShard.computeIfAbsent(shardOf(ns), s -> new ArrayList<>()).add(ns);
        }
        byShard.forEach((shard, namespaces) -> {
            CatalogRows rows = cluster.namespaces(shard).rows();
            Set<String> existing = cluster.namespaces(shard).list().stream().map(NamespaceInfo::label)
                    .collect(Collectors.toSet());
            cluster.dsl(shard).transaction(tx -> {
                for (NamespaceInfo ns : namespaces) {
                    if (ns.state() == NamespaceState.DROPPED && !existing.contains(ns.label())) {
                        rows.insert(tx.dsl(), ns); // history only, as on one database
                    }
                    rows.keepHistory(tx.dsl(), ns);
                }
            });
        });
    }

    private List<CopyUnit> units(Plan plan) {
        List<String> shards = cluster.shards();
        Map<String, List<String>> agentsByShard = new HashMap<>();
        agentShards.forEach((agent, shard) -> agentsByShard.computeIfAbsent(shard, s -> new ArrayList<>())
                .add(agent));
        List<CopyUnit> units = new ArrayList<>();
        for (CopyTable table : plan.tables()) {
            if (table.namespace() != null) {
                String shard = shardOf(table.namespace());
                units.add(CopyUnit.whole(table, shard, cluster.dsl(shard)));
            } else if (table.catalog()) {
                for (String shard : shards) {
                    units.add(new CopyUnit(table, shard, cluster.dsl(shard), catalogRows(plan, shard)));
                }
            } else if (isAgentTable(table)) {
                for (String shard : shards) {
                    List<Condition> filters = new ArrayList<>();
                    chunks(agentsByShard.getOrDefault(shard, List.of()), chunk -> filters.add(AGENT_ID.in(chunk)));
                    if (shard.equals(ShardedCopyTarget.MAIN) && table.name().equals(AGENTS_MEMORY.getName())) {
                        filters.add(AGENT_ID.isNull()); // patterns of no agent stay on main
                    }
                    units.add(new CopyUnit(table, shard, cluster.dsl(shard), filters));
                }
            } else {
                units.add(CopyUnit.whole(table, ShardedCopyTarget.MAIN, cluster.dsl(ShardedCopyTarget.MAIN)));
            }
        }
        return units;
    }

    /** The source's catalog rows that belong on a shard: its namespaces, and on main the dropped ones. */
    private List<Condition> catalogRows(Plan plan, String shard) {
        Map<NamespaceKind, List<String>> names = new TreeMap<>();
        for (NamespaceInfo ns : plan.namespaces()) {
            if (shardOf(ns).equals(shard)) {
                names.computeIfAbsent(ns.kind(), k -> new ArrayList<>()).add(ns.name());
            }
        }
        List<Condition> filters = new ArrayList<>();
        names.forEach((kind, list) -> chunks(list, chunk -> filters.add(KIND.eq(kind.catalogValue())
                .and(NAME.in(chunk)))));
        return filters;
    }

    /** @return where a namespace's tables and catalog row go: its placement, main when it has none or is dropped */
    private String shardOf(NamespaceInfo ns) {
        return ns.state() == NamespaceState.DROPPED ? ShardedCopyTarget.MAIN
                : namespaceShards.getOrDefault(ns.label(), ShardedCopyTarget.MAIN);
    }

    private List<String> namesOn(String shard, NamespaceKind kind) {
        return live.values().stream().filter(ns -> ns.kind() == kind && shardOf(ns).equals(shard))
                .map(NamespaceInfo::name).sorted().toList();
    }

    private static boolean isAgentTable(CopyTable table) {
        return table.name().equals(AGENTS_AWAKENING.getName()) || table.name().equals(AGENTS_MEMORY.getName());
    }

    private static void chunks(List<String> all, Consumer<List<String>> each) {
        for (int from = 0; from < all.size(); from += CHUNK) {
            each.accept(all.subList(from, Math.min(all.size(), from + CHUNK)));
        }
    }
}
