package dev.foundups.db.internal.sharding;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.MigrationListener;
import dev.foundups.db.MigrationReport;
import dev.foundups.db.MoveReport;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.namespaces.SerialListener;
import dev.foundups.db.internal.namespaces.Template;
import dev.foundups.db.internal.naming.NamespaceName;
import dev.foundups.db.schema.SchemaLayout;

/**
 * The catalog of a sharded database: each shard keeps the catalog rows of the namespaces it holds, and the
 * directory says which shard's row is authoritative (during a move both may have one). Operations on one
 * namespace go to its shard; lists and migrations go to every shard.
 */
public final class ShardedCatalog {

    private final ShardRouting routing;

    ShardedCatalog(ShardRouting routing) {
        this.routing = routing;
    }

    /** @return every namespace of every shard, dropped ones included, by kind and name */
    public List<NamespaceInfo> list() {
        return placed(Namespaces::list);
    }

    /** @return the namespaces a migration would change, on every shard */
    public List<NamespaceInfo> pending() {
        return placed(Namespaces::pending);
    }

    /**
     * @param kind module or FoundUp
     * @param name its name
     * @return its catalog entry on its shard
     */
    public Optional<NamespaceInfo> find(NamespaceKind kind, String name) {
        return namespacesOf(kind, name).find(kind, name);
    }

    /**
     * Creates a namespace that must not exist yet: placed (on {@code shard}, else by the fewest rule), created
     * there, then marked placed. A crash in between leaves a PLACING row that the next call completes.
     *
     * @param shard the shard to create it on, or null
     * @return the new namespace
     */
    public NamespaceInfo create(NamespaceKind kind, String name, String template, String shard) {
        Placement placement = routing.place(Placement.Kind.of(kind), name, shard, template);
        if (shard != null && !placement.shard().equals(shard)) {
            throw new FoundupsDbException(ErrorCode.NAME_CONFLICT, placement.describe() + " is placed on shard '"
                    + placement.shard() + "' already; create it without naming a shard, or move it");
        }
        Namespaces namespaces = routing.shard(placement.shard()).open().namespaces();
        try {
            NamespaceInfo created = namespaces.create(kind, name, template);
            routing.activate(placement);
            return created;
        } catch (FoundupsDbException e) {
            if (placement.state() == Placement.State.PLACING && namespaces.find(kind, name)
                    .filter(n -> n.state() != NamespaceState.DROPPED).isPresent()) {
                routing.activate(placement); // an earlier call created it and stopped before this step
            }
            throw e;
        }
    }

    /**
     * Creates many namespaces of one template, spread over the shards by the fewest rule; existing ones are kept.
     * Each shard creates its share in parallel with the others.
     *
     * @return the namespaces, in the order of {@code names}
     */
    public List<NamespaceInfo> createAll(NamespaceKind kind, Collection<String> names, String template) {
        List<String> list = List.copyOf(names);
        Placed placed = placeAndCreate(kind, list, template);
        List<String> placing = list.stream()
                .filter(name -> placed.placements().get(name).state() == Placement.State.PLACING).toList();
        routing.directory().activate(Placement.Kind.of(kind), placing);
        return list.stream().map(placed.created()::get).toList();
    }

    /**
     * What {@link #placeAndCreate} did.
     *
     * @param placements every name's placement, by name: new ones still PLACING
     * @param created    every name's catalog entry on its shard, by name
     */
    record Placed(Map<String, Placement> placements, Map<String, NamespaceInfo> created) {
    }

    /**
     * The first two steps of {@link #createAll}: names checked, placed by the fewest rule (existing placements
     * kept), and created on their shards, each shard's share in parallel with the others. New placements are left
     * PLACING for the caller to activate: a copy does so only once it has filled their tables.
     */
    Placed placeAndCreate(NamespaceKind kind, List<String> list, String template) {
        Template t = routing.shard(Directory.MAIN).open().namespaces().templates().require(kind, template);
        for (String name : list) {
            NamespaceName.validate(kind, name, t.maxNameLength());
        }
        Map<String, Placement> placements = routing.directory().placeAll(Placement.Kind.of(kind), list, null);
        Map<String, List<String>> byShard = new LinkedHashMap<>();
        for (String name : list) {
            byShard.computeIfAbsent(placements.get(name).shard(), s -> new ArrayList<>()).add(name);
        }
        Map<String, NamespaceInfo> created = new HashMap<>();
        Map<String, List<NamespaceInfo>> results = onEachShard(byShard.keySet(), shard ->
                routing.shard(shard).open().namespaces().createAll(kind, byShard.get(shard), template));
        results.values().forEach(infos -> infos.forEach(info -> created.put(info.name(), info)));
        return new Placed(placements, created);
    }

    /** Drops a namespace on its shard; its placement stays, so creating it again puts it there. */
    public NamespaceInfo drop(NamespaceKind kind, String name) {
        return namespacesOf(kind, name).drop(kind, name);
    }

    /**
     * Renames a FoundUp on its shard. The new id is placed there (PLACING) before the rename and marked placed
     * after it; the old id's placement is forgotten. A crash in between leaves the new id PLACING on the right
     * shard, which the next use completes, and the old id placed where a new, empty FoundUp of that id would be
     * made, as on one server.
     */
    public NamespaceInfo renameFoundUp(String from, String to) {
        Placement.Kind kind = Placement.Kind.FOUNDUP;
        Template t = routing.shard(Directory.MAIN).open().namespaces().templates().require(NamespaceKind.FOUNDUP,
                SchemaLayout.FOUNDUP_TEMPLATE);
        NamespaceName.validate(NamespaceKind.FOUNDUP, to, t.maxNameLength());
        Placement source = routing.resolve(kind, from, null, null);
        String shard = source == null ? Directory.MAIN : source.shard();
        Optional<Placement> old = routing.directory().placement(kind, to);
        if (old.isPresent() && !old.get().shard().equals(shard)) {
            if (routing.shard(old.get().shard()).open().namespaces().find(NamespaceKind.FOUNDUP, to)
                    .filter(n -> n.state() != NamespaceState.DROPPED).isPresent()) {
                throw new FoundupsDbException(ErrorCode.NAME_CONFLICT, "FoundUp id '" + to + "' exists already, on "
                        + "shard '" + old.get().shard() + "'; choose another id");
            }
            routing.forget(kind, to); // a dropped FoundUp of that id elsewhere is forgotten
        }
        Shard.Opened opened = routing.shard(shard).open();
        boolean kept = old.isPresent() && old.get().shard().equals(shard); // a dropped FoundUp of that id here
        Placement target = kept ? old.get() : routing.directory().place(kind, to, shard, Placement.State.PLACING);
        NamespaceInfo renamed;
        try {
            renamed = opened.namespaces().rename(NamespaceKind.FOUNDUP, from, to,
                    () -> MigrationLock.advisory(opened.pool()));
        } catch (RuntimeException e) {
            if (!kept) {
                routing.forget(kind, to);
            }
            throw e;
        }
        routing.activate(target);
        routing.forget(kind, from);
        return renamed;
    }

    /**
     * Migrates every shard at once, each under its own migration lock and with the per-namespace failure
     * isolation of one database. A shard that cannot be reached is reported as failed ({@code shard:NAME}); the
     * others go on.
     */
    public MigrationReport migrate(MigrationListener listener) {
        long started = System.nanoTime();
        List<Shard> shards = routing.shards();
        Map<String, MigrationReport> reports = new LinkedHashMap<>();
        Map<String, String> failed = new LinkedHashMap<>();
        List<String> names = shards.stream().map(Shard::name).toList();
        // The listener hears of the whole run once, then of each namespace, one call at a time, from any shard.
        Map<String, Object> behind = onEachShard(names, name -> {
            try {
                return routing.shard(name).open().namespaces().pending().size();
            } catch (RuntimeException e) {
                return e;
            }
        });
        listener.started(behind.values().stream().mapToInt(n -> n instanceof Integer i ? i : 0).sum());
        MigrationListener each = new SerialListener(listener, false);
        Map<String, Object> outcomes = onEachShard(names, name -> {
            if (behind.get(name) instanceof RuntimeException unreachable) {
                return unreachable;
            }
            try {
                Shard.Opened opened = routing.shard(name).open();
                try (MigrationLock lock = MigrationLock.advisory(opened.pool())) {
                    return opened.namespaces().migrate(each);
                }
            } catch (RuntimeException e) {
                return e;
            }
        });
        outcomes.forEach((name, outcome) -> {
            if (outcome instanceof MigrationReport report) {
                reports.put(name, report);
            } else {
                failed.put("shard:" + name, ((Exception) outcome).getMessage());
            }
        });
        int checked = 0;
        int pending = 0;
        int migrated = 0;
        for (MigrationReport report : reports.values()) {
            checked += report.checked();
            pending += report.pending();
            migrated += report.migrated();
            failed.putAll(report.failed());
        }
        MigrationReport merged = new MigrationReport(checked, pending, migrated, failed,
                Duration.ofNanos(System.nanoTime() - started));
        listener.finished(merged);
        return merged;
    }

    /** Moves a namespace to another shard. */
    public MoveReport move(NamespaceKind kind, String name, String shard) {
        return routing.mover().move(Placement.Kind.of(kind), name, shard);
    }

    /** @return the namespaces machinery of the shard a namespace is placed on (main when it is not placed) */
    private Namespaces namespacesOf(NamespaceKind kind, String name) {
        Placement placement = routing.resolve(Placement.Kind.of(kind), name, null, null);
        return routing.shard(placement == null ? Directory.MAIN : placement.shard()).open().namespaces();
    }

    /** Rows of every shard, each kept only where the directory places its namespace. */
    private List<NamespaceInfo> placed(Function<Namespaces, List<NamespaceInfo>> rows) {
        Map<String, Placement> placements = routing.directory().namespacePlacements();
        List<NamespaceInfo> all = new ArrayList<>();
        for (Shard shard : routing.shards()) {
            all.addAll(ShardAdmin.placedHere(shard.name(), rows.apply(shard.open().namespaces()), placements));
        }
        all.sort(Comparator.comparing(NamespaceInfo::kind).thenComparing(NamespaceInfo::name));
        return all;
    }

    /** Runs work for each shard on a thread of its own; returns shard to result, in the given order. */
    static <T> Map<String, T> onEachShard(Collection<String> shards, Function<String, T> work) {
        Map<String, T> results = new LinkedHashMap<>();
        if (shards.size() == 1) {
            String only = shards.iterator().next();
            results.put(only, work.apply(only));
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, shards.size()), r -> {
            Thread t = new Thread(r, "foundups-db-shard-work");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<T>> futures = new LinkedHashMap<>();
            for (String shard : shards) {
                futures.put(shard, pool.submit(() -> work.apply(shard)));
            }
            for (Map.Entry<String, Future<T>> e : futures.entrySet()) {
                results.put(e.getKey(), e.getValue().get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FoundupsDbException(ErrorCode.DATABASE, "interrupted while working on the shards", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r
                    : new FoundupsDbException(ErrorCode.DATABASE, e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
