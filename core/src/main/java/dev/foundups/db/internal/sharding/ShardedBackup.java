package dev.foundups.db.internal.sharding;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_MOVES;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_PLACEMENTS;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import dev.foundups.db.BackupResult;
import dev.foundups.db.BackupResult.ShardArchive;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.backup.BackupFolder;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * The backup of a sharded database: a set of one {@code pg_dump} archive per shard ({@code main}, which holds the
 * directory, first) and a manifest. Each archive is one snapshot of its shard; the snapshots are taken one after
 * another, so the directory is read before the first and after the last: a placement whose shard or epoch changed
 * in between, one being moved at either read, or a move left unfinished in the journal makes the set inconsistent,
 * and the set says which. Placements created meanwhile need no check: with main's snapshot first, a namespace in
 * the directory is either {@code PLACING} there (its next use completes it after a restore) or was created on its
 * shard before main's snapshot, so before its shard's.
 */
final class ShardedBackup {

    /** Called after each shard's archive with the shard's name; tests run a move there. */
    static volatile Consumer<String> afterShard = shard -> { };

    /** The journal's state of a move that has not finished (see the moves package's journal). */
    private static final String MOVE_RUNNING = "RUNNING";

    private final ShardRouting routing;
    private final DSLContext main;

    ShardedBackup(ShardRouting routing) {
        this.routing = routing;
        this.main = DSL.using(routing.settings().base());
    }

    /** The directory as read at one moment. */
    record DirectoryRead(Instant at, Map<String, Placement> placements, List<String> runningMoves) {
    }

    /** A shard to dump. */
    private record Target(String name, DatabaseUrl url) {
    }

    /**
     * Takes the set.
     *
     * @param target      the folder to create; must not exist
     * @param clientTools the folder of {@code pg_dump}, or null for the PATH
     * @return the set's archives and its consistency
     * @throws FoundupsDbException BACKUP naming the shard that failed; nothing is left behind
     */
    BackupResult backup(Path target, Path clientTools) {
        long start = System.nanoTime();
        BackupFolder folder = BackupFolder.at(target);
        Target current = null;
        try {
            List<Target> shards = targets();
            DirectoryRead before = read();
            List<ShardArchive> archives = new ArrayList<>();
            long bytes = 0;
            for (Target shard : shards) {
                current = shard;
                String file = shard.name() + ".dump";
                Instant snapshot = Instant.now();
                long size = folder.dump(file, shard.url(), clientTools);
                archives.add(new ShardArchive(shard.name(), shard.url().toString(), folder.target().resolve(file),
                        size, snapshot));
                bytes += size;
                afterShard.accept(shard.name());
            }
            current = null;
            DirectoryRead after = read();
            List<BackupManifest.Inconsistency> inconsistencies = compare(before, after);
            bytes += folder.write(BackupFolder.MANIFEST,
                    BackupManifest.json(archives, before, after, inconsistencies));
            folder.publish();
            return new BackupResult(folder.target(), bytes, Duration.ofNanos(System.nanoTime() - start), archives,
                    inconsistencies.stream().map(BackupManifest.Inconsistency::sentence).toList());
        } catch (IOException | RuntimeException e) {
            folder.discard();
            String what = current == null ? "backup set " + folder.target()
                    : "backup set " + folder.target() + " failed at shard '" + current.name() + "' (" + current.url()
                    + ")";
            String message = DatabaseUrl.mask(String.valueOf(e.getMessage()));
            throw new FoundupsDbException(ErrorCode.BACKUP, what + ": " + message + "; nothing was kept", e);
        }
    }

    /** @return main first, then the other shards by name */
    private List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        targets.add(new Target(Directory.MAIN, routing.settings().mainUrl()));
        for (Directory.ShardRow row : routing.directory().shards()) {
            if (!Directory.MAIN.equals(row.name())) {
                targets.add(new Target(row.name(), DatabaseUrl.parse(row.url(), "the URL of shard '" + row.name()
                        + "'")));
            }
        }
        return targets;
    }

    DirectoryRead read() {
        Instant at = Instant.now();
        Map<String, Placement> placements = new LinkedHashMap<>();
        main.selectFrom(FOUNDUPSDB_PLACEMENTS).orderBy(FOUNDUPSDB_PLACEMENTS.KIND, FOUNDUPSDB_PLACEMENTS.NAME)
                .forEach(r -> {
                    Placement p = Directory.toPlacement(r);
                    placements.put(p.key(), p);
                });
        List<String> running = main.select(FOUNDUPSDB_MOVES.KIND, FOUNDUPSDB_MOVES.NAME).from(FOUNDUPSDB_MOVES)
                .where(FOUNDUPSDB_MOVES.STATE.eq(MOVE_RUNNING)).orderBy(FOUNDUPSDB_MOVES.ID)
                .fetch(r -> r.value1() + ":" + r.value2());
        return new DirectoryRead(at, placements, running);
    }

    /** @return every placement that moved, was moving, or had an unfinished move during the backup */
    static List<BackupManifest.Inconsistency> compare(DirectoryRead before, DirectoryRead after) {
        TreeSet<String> keys = new TreeSet<>(before.placements().keySet());
        keys.retainAll(after.placements().keySet());
        keys.addAll(before.runningMoves());
        keys.addAll(after.runningMoves());
        List<BackupManifest.Inconsistency> found = new ArrayList<>();
        for (String key : keys) {
            Placement b = before.placements().get(key);
            Placement a = after.placements().get(key);
            String kind = key.substring(0, key.indexOf(':'));
            String name = key.substring(key.indexOf(':') + 1);
            String reason = null;
            if (b != null && a != null && (!b.shard().equals(a.shard()) || b.epoch() != a.epoch())) {
                reason = "moved during the backup: on shard '" + b.shard() + "' (epoch " + b.epoch()
                        + ") when it began, on shard '" + a.shard() + "' (epoch " + a.epoch() + ") when it ended";
            } else if (before.runningMoves().contains(key) || after.runningMoves().contains(key)) {
                reason = "a move of it was unfinished in the journal (foundupsdb_moves) during the backup; finish it "
                        + "with 'foundups-db namespace move' (or shard move-agent) and take the backup again";
            } else if ((b != null && b.state() == Placement.State.MOVING)
                    || (a != null && a.state() == Placement.State.MOVING)) {
                reason = "it was being moved during the backup";
            }
            if (reason != null) {
                String describe = b != null ? b.describe() : a != null ? a.describe() : kind + " '" + name + "'";
                found.add(new BackupManifest.Inconsistency(kind, name, describe + " " + reason));
            }
        }
        return found;
    }
}
