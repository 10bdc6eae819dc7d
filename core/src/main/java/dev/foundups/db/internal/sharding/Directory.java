package dev.foundups.db.internal.sharding;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_PLACEMENTS;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_SHARDS;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.jooq.tables.records.FoundupsdbPlacementsRecord;

/**
 * Every statement on the directory tables ({@code foundupsdb_shards}, {@code foundupsdb_placements}), which live
 * in the database {@code DATABASE_URL} names: the shard {@code main}. Runs on main's own pool, never through read
 * routing: a standby may not have replayed a placement yet.
 *
 * <p>What main holds of its own (live namespaces, agents with rows), which stays on main when placed, is read,
 * and placed on main when the first shard is added, by {@link MainHoldings}.
 *
 * <p>A change that moves a placement to another shard bumps its epoch and notifies channel {@link #CHANNEL} with
 * the placement's key ({@code KIND:name}) in the same transaction; every process's {@link PlacementCache} listens.
 */
final class Directory {

    /** The channel of placement changes. */
    static final String CHANNEL = "foundupsdb_placements";
    /** The directory's own database, as a shard. */
    static final String MAIN = "main";
    static final String SHARD_ACTIVE = "ACTIVE";
    static final String SHARD_DRAINING = "DRAINING";

    /** Most names per statement of bulk work. */
    static final int CHUNK = 1_000;

    private final DSLContext main;

    /** @param main an unrouted context on the directory's database */
    Directory(DSLContext main) {
        this.main = main;
    }

    /** A shard as the directory records it; {@code url} is empty for main. */
    record ShardRow(String name, String url, String state) {
    }

    /** @return whether any shard is recorded; false where the table does not exist yet (an old database) */
    boolean sharded() {
        try {
            return main.fetchExists(FOUNDUPSDB_SHARDS);
        } catch (DataAccessException noTableYet) {
            return false;
        }
    }

    /** @return the shards, by name */
    List<ShardRow> shards() {
        return main.selectFrom(FOUNDUPSDB_SHARDS).orderBy(FOUNDUPSDB_SHARDS.NAME)
                .fetch(r -> new ShardRow(r.getName(), r.getUrl(), r.getState()));
    }

    /** @return the placement as the directory has it now */
    Optional<Placement> placement(Placement.Kind kind, String name) {
        return main.selectFrom(FOUNDUPSDB_PLACEMENTS).where(named(kind, name)).fetchOptional(Directory::toPlacement);
    }

    /**
     * Places something not placed yet: on the requested shard, else on main when main already holds it (made by a
     * process that opened the database before it was sharded), else on the active shard with the fewest
     * placements (ties: by name). One statement; when another process placed it first, theirs is kept.
     *
     * @param state {@link Placement.State#PLACING} when tables must still be created, else ACTIVE
     * @return the placement as it is now
     */
    Placement place(Placement.Kind kind, String name, String requested, Placement.State state) {
        Field<String> target = requested != null ? DSL.val(requested)
                : DSL.when(DSL.exists(MainHoldings.named(kind, List.of(name))), DSL.val(MAIN)).otherwise(fewest());
        Optional<Placement> inserted = main.insertInto(FOUNDUPSDB_PLACEMENTS, FOUNDUPSDB_PLACEMENTS.KIND,
                        FOUNDUPSDB_PLACEMENTS.NAME, FOUNDUPSDB_PLACEMENTS.SHARD, FOUNDUPSDB_PLACEMENTS.EPOCH,
                        FOUNDUPSDB_PLACEMENTS.STATE, FOUNDUPSDB_PLACEMENTS.UPDATED_AT)
                .select(DSL.select(DSL.val(kind.name(), FOUNDUPSDB_PLACEMENTS.KIND),
                        DSL.val(name, FOUNDUPSDB_PLACEMENTS.NAME), target, DSL.val(1L, FOUNDUPSDB_PLACEMENTS.EPOCH),
                        DSL.val(state.name(), FOUNDUPSDB_PLACEMENTS.STATE),
                        DSL.val(now(), FOUNDUPSDB_PLACEMENTS.UPDATED_AT)).where(target.isNotNull()))
                .onConflictDoNothing()
                .returning()
                .fetchOptional()
                .map(Directory::toPlacement);
        return inserted.or(() -> placement(kind, name)).orElseThrow(() -> noActiveShard(kind, name));
    }

    /**
     * Places many names of one kind at once (bulk creation, a copy), as {@link #place} does one: on the requested
     * shard, else on main when main holds it already, else spread over the active shards by the fewest rule. New
     * placements are PLACING.
     *
     * @return every name's placement as it is now, by name
     */
    Map<String, Placement> placeAll(Placement.Kind kind, List<String> names, String requested) {
        Map<String, Placement> placed = new HashMap<>();
        for (int from = 0; from < names.size(); from += CHUNK) {
            List<String> chunk = names.subList(from, Math.min(names.size(), from + CHUNK));
            Map<String, Placement> existing = placements(kind, chunk);
            List<String> onMain = requested != null ? List.of() : main.fetchValues(MainHoldings.named(kind, chunk));
            Map<String, Integer> load = requested != null ? new HashMap<>() : activeLoad();
            var insert = main.insertInto(FOUNDUPSDB_PLACEMENTS, FOUNDUPSDB_PLACEMENTS.KIND, FOUNDUPSDB_PLACEMENTS.NAME,
                    FOUNDUPSDB_PLACEMENTS.SHARD, FOUNDUPSDB_PLACEMENTS.EPOCH, FOUNDUPSDB_PLACEMENTS.STATE,
                    FOUNDUPSDB_PLACEMENTS.UPDATED_AT);
            Instant now = now();
            boolean any = false;
            for (String name : chunk) {
                if (existing.containsKey(name)) {
                    continue;
                }
                String shard = requested != null ? requested : onMain.contains(name) ? MAIN : leastLoaded(load);
                if (shard == null) {
                    throw noActiveShard(kind, name);
                }
                load.computeIfPresent(shard, (s, n) -> n + 1);
                insert = insert.values(kind.name(), name, shard, 1L, Placement.State.PLACING.name(), now);
                any = true;
            }
            if (any) {
                insert.onConflictDoNothing().execute();
            }
            placed.putAll(placements(kind, chunk));
        }
        return placed;
    }

    /** Marks a placement complete: its tables exist on its shard. */
    void activate(Placement.Kind kind, Collection<String> names) {
        List<String> all = List.copyOf(names);
        for (int from = 0; from < all.size(); from += CHUNK) {
            main.update(FOUNDUPSDB_PLACEMENTS)
                    .set(FOUNDUPSDB_PLACEMENTS.STATE, Placement.State.ACTIVE.name())
                    .set(FOUNDUPSDB_PLACEMENTS.UPDATED_AT, now())
                    .where(FOUNDUPSDB_PLACEMENTS.KIND.eq(kind.name()))
                    .and(FOUNDUPSDB_PLACEMENTS.NAME.in(all.subList(from, Math.min(all.size(), from + CHUNK))))
                    .and(FOUNDUPSDB_PLACEMENTS.STATE.eq(Placement.State.PLACING.name()))
                    .execute();
        }
    }

    /**
     * Marks a placement as being moved, so that writers that meet the fence wait for the new shard instead of
     * failing. Notifies.
     *
     * @return false when the placement is not ACTIVE at the given epoch any more
     */
    boolean markMoving(Placement placement) {
        return main.transactionResult(tx -> {
            int changed = tx.dsl().update(FOUNDUPSDB_PLACEMENTS)
                    .set(FOUNDUPSDB_PLACEMENTS.STATE, Placement.State.MOVING.name())
                    .set(FOUNDUPSDB_PLACEMENTS.UPDATED_AT, now())
                    .where(named(placement.kind(), placement.name()))
                    .and(FOUNDUPSDB_PLACEMENTS.EPOCH.eq(placement.epoch()))
                    .and(FOUNDUPSDB_PLACEMENTS.STATE.eq(Placement.State.ACTIVE.name()))
                    .execute();
            notify(tx.dsl(), placement.key());
            return changed == 1;
        });
    }

    /**
     * Names the shard a placement now lives on: epoch + 1, ACTIVE, notified, in one transaction. With the same
     * shard it ends a move that was rolled back.
     *
     * @param placement the placement as it was when the move began (its epoch guards against a concurrent flip)
     * @param shard     where it lives now
     * @return the new placement
     * @throws IllegalStateException when the placement changed meanwhile
     */
    Placement flip(Placement placement, String shard) {
        return main.transactionResult(tx -> {
            int changed = tx.dsl().update(FOUNDUPSDB_PLACEMENTS)
                    .set(FOUNDUPSDB_PLACEMENTS.SHARD, shard)
                    .set(FOUNDUPSDB_PLACEMENTS.EPOCH, placement.epoch() + 1)
                    .set(FOUNDUPSDB_PLACEMENTS.STATE, Placement.State.ACTIVE.name())
                    .set(FOUNDUPSDB_PLACEMENTS.UPDATED_AT, now())
                    .where(named(placement.kind(), placement.name()))
                    .and(FOUNDUPSDB_PLACEMENTS.EPOCH.eq(placement.epoch()))
                    .execute();
            if (changed != 1) {
                throw new IllegalStateException(placement.describe() + " changed while it was being moved");
            }
            notify(tx.dsl(), placement.key());
            return new Placement(placement.kind(), placement.name(), shard, placement.epoch() + 1,
                    Placement.State.ACTIVE);
        });
    }

    /** Forgets a placement (a renamed FoundUp's old id), notifying. */
    void forget(Placement.Kind kind, String name) {
        main.transaction(tx -> {
            tx.dsl().deleteFrom(FOUNDUPSDB_PLACEMENTS).where(named(kind, name)).execute();
            notify(tx.dsl(), Placement.key(kind, name));
        });
    }

    /**
     * Registers a shard. The first one also registers main and places everything main holds on it.
     *
     * @return false when a shard of that name exists already
     */
    boolean addShard(String name, String url) {
        return main.transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            Instant now = now();
            boolean first = dsl.insertInto(FOUNDUPSDB_SHARDS).set(FOUNDUPSDB_SHARDS.NAME, MAIN)
                    .set(FOUNDUPSDB_SHARDS.URL, "").set(FOUNDUPSDB_SHARDS.STATE, SHARD_ACTIVE)
                    .set(FOUNDUPSDB_SHARDS.ADDED_AT, now).onConflictDoNothing().execute() == 1;
            if (first) {
                MainHoldings.placeOnMain(dsl, now);
            }
            return dsl.insertInto(FOUNDUPSDB_SHARDS).set(FOUNDUPSDB_SHARDS.NAME, name)
                    .set(FOUNDUPSDB_SHARDS.URL, url).set(FOUNDUPSDB_SHARDS.STATE, SHARD_ACTIVE)
                    .set(FOUNDUPSDB_SHARDS.ADDED_AT, now).onConflictDoNothing().execute() == 1;
        });
    }

    /** Points a shard at another database (a restored backup set's new home). @return false: no such shard */
    boolean setShardUrl(String name, String url) {
        return main.update(FOUNDUPSDB_SHARDS).set(FOUNDUPSDB_SHARDS.URL, url)
                .where(FOUNDUPSDB_SHARDS.NAME.eq(name)).execute() == 1;
    }

    /** Sets a shard's state (ACTIVE, DRAINING). */
    void setShardState(String name, String state) {
        main.update(FOUNDUPSDB_SHARDS).set(FOUNDUPSDB_SHARDS.STATE, state)
                .where(FOUNDUPSDB_SHARDS.NAME.eq(name)).execute();
    }

    /** @return shard to {namespaces, agents} placed on it */
    Map<String, int[]> counts() {
        Map<String, int[]> counts = new HashMap<>();
        main.select(FOUNDUPSDB_PLACEMENTS.SHARD, FOUNDUPSDB_PLACEMENTS.KIND, DSL.count())
                .from(FOUNDUPSDB_PLACEMENTS)
                .groupBy(FOUNDUPSDB_PLACEMENTS.SHARD, FOUNDUPSDB_PLACEMENTS.KIND)
                .forEach(r -> counts.computeIfAbsent(r.value1(), s -> new int[2])
                        [Placement.Kind.AGENT.name().equals(r.value2()) ? 1 : 0] += r.value3());
        return counts;
    }

    /** @return the placements on a shard, agents last, each kind by name: the order a drain moves them in */
    List<Placement> placementsOn(String shard) {
        return main.selectFrom(FOUNDUPSDB_PLACEMENTS).where(FOUNDUPSDB_PLACEMENTS.SHARD.eq(shard))
                .orderBy(DSL.when(FOUNDUPSDB_PLACEMENTS.KIND.eq(Placement.Kind.AGENT.name()), 1).otherwise(0),
                        FOUNDUPSDB_PLACEMENTS.KIND, FOUNDUPSDB_PLACEMENTS.NAME)
                .fetch(Directory::toPlacement);
    }

    /** @return the active shard with the fewest placements other than {@code excluded}, ties by name */
    Optional<String> leastLoadedExcept(String excluded) {
        Map<String, Integer> load = activeLoad();
        load.remove(excluded);
        return Optional.ofNullable(leastLoaded(load));
    }

    /** @return every placement of namespaces, by key: which catalog rows of which shard are authoritative */
    Map<String, Placement> namespacePlacements() {
        Map<String, Placement> all = new HashMap<>();
        main.selectFrom(FOUNDUPSDB_PLACEMENTS).where(FOUNDUPSDB_PLACEMENTS.KIND.ne(Placement.Kind.AGENT.name()))
                .forEach(r -> {
                    Placement p = toPlacement(r);
                    all.put(p.key(), p);
                });
        return all;
    }

    /**
     * Tells every listening process that a placement changed, when the caller's transaction commits.
     *
     * @param tx  a transaction on the directory's database
     * @param key the placement's key, {@code KIND:name}
     */
    static void notify(DSLContext tx, String key) {
        tx.execute("SELECT pg_notify(?, ?)", CHANNEL, key);
    }

    /** @return the placements of those names that have one, by name; at most {@link #CHUNK} names at a time */
    Map<String, Placement> placements(Placement.Kind kind, List<String> names) {
        Map<String, Placement> found = new HashMap<>();
        main.selectFrom(FOUNDUPSDB_PLACEMENTS).where(FOUNDUPSDB_PLACEMENTS.KIND.eq(kind.name()))
                .and(FOUNDUPSDB_PLACEMENTS.NAME.in(names))
                .forEach(r -> found.put(r.getName(), toPlacement(r)));
        return found;
    }

    /** @return active shard to its placements */
    private Map<String, Integer> activeLoad() {
        Map<String, Integer> load = new HashMap<>();
        for (ShardRow shard : shards()) {
            if (SHARD_ACTIVE.equals(shard.state())) {
                load.put(shard.name(), 0);
            }
        }
        counts().forEach((shard, n) -> load.computeIfPresent(shard, (s, old) -> n[0] + n[1]));
        return load;
    }

    private static FoundupsDbException noActiveShard(Placement.Kind kind, String name) {
        return new FoundupsDbException(ErrorCode.CONFIGURATION, "cannot place " + kind.describe() + " '" + name
                + "': no shard takes new placements (every shard is draining); add a shard with 'foundups-db shard "
                + "add NAME URL'");
    }

    private static String leastLoaded(Map<String, Integer> load) {
        String best = null;
        for (Map.Entry<String, Integer> e : load.entrySet()) {
            if (best == null || e.getValue() < load.get(best)
                    || (e.getValue().equals(load.get(best)) && e.getKey().compareTo(best) < 0)) {
                best = e.getKey();
            }
        }
        return best;
    }

    /** The active shard with the fewest placements, ties by name; null when there is none. */
    private static Field<String> fewest() {
        Table<?> counts = DSL.select(FOUNDUPSDB_PLACEMENTS.SHARD, DSL.count().as("placed"))
                .from(FOUNDUPSDB_PLACEMENTS).groupBy(FOUNDUPSDB_PLACEMENTS.SHARD).asTable("counts");
        Field<Integer> placed = DSL.coalesce(counts.field("placed", Integer.class), DSL.val(0));
        return DSL.select(FOUNDUPSDB_SHARDS.NAME).from(FOUNDUPSDB_SHARDS)
                .leftJoin(counts).on(counts.field(FOUNDUPSDB_PLACEMENTS.SHARD).eq(FOUNDUPSDB_SHARDS.NAME))
                .where(FOUNDUPSDB_SHARDS.STATE.eq(SHARD_ACTIVE))
                .orderBy(placed, FOUNDUPSDB_SHARDS.NAME)
                .limit(1)
                .asField();
    }

    static Placement toPlacement(FoundupsdbPlacementsRecord r) {
        return new Placement(Placement.Kind.valueOf(r.getKind()), r.getName(), r.getShard(), r.getEpoch(),
                Placement.State.valueOf(r.getState()));
    }

    private static Condition named(Placement.Kind kind, String name) {
        return FOUNDUPSDB_PLACEMENTS.KIND.eq(kind.name()).and(FOUNDUPSDB_PLACEMENTS.NAME.eq(name));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
