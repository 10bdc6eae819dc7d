package dev.foundups.db.internal.sharding;

import java.util.List;
import java.util.Optional;

import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.MoveReport;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.naming.ShardName;
import dev.foundups.db.internal.moves.Moves;

/**
 * The moves of a sharded database: {@link Moves} (the journaled move steps) run against this database's directory.
 * The directory side of the contract in {@link NamespaceMover}: each change reads the directory row itself, never
 * the process's cache, and is idempotent, so a rerun after a crash finds it done.
 */
final class DirectoryMoves implements NamespaceMover, Moves.Directory {

    private final ShardRouting routing;
    private final Directory directory;
    private final Moves moves;

    DirectoryMoves(ShardRouting routing) {
        this.routing = routing;
        this.directory = routing.directory();
        this.moves = new Moves(this, DSL.using(routing.settings().base()), routing.settings().classLoader());
    }

    @Override
    public MoveReport move(Placement.Kind kind, String name, String target) {
        routing.requireActiveShard(ShardName.validate(target));
        Moves.Report report = kind == Placement.Kind.AGENT ? moves.moveAgent(name, target)
                : moves.move(kind.namespaceKind(), name, target);
        routing.reloadShards();
        return toReport(report);
    }

    @Override
    public List<MoveReport> drain(String shard) {
        // DRAINING first: new namespaces and agents go elsewhere while the old ones move.
        directory.setShardState(shard, Directory.SHARD_DRAINING);
        List<MoveReport> reports = moves.drain(shard).stream().map(DirectoryMoves::toReport).toList();
        routing.reloadShards();
        return reports;
    }

    static MoveReport toReport(Moves.Report r) {
        MoveReport.Method method = switch (r.method()) {
            case "LOGICAL" -> MoveReport.Method.ONLINE;
            case "OFFLINE" -> MoveReport.Method.OFFLINE;
            default -> MoveReport.Method.NONE;
        };
        String note = r.note();
        if (r.orphanSlot() != null) {
            String slot = "replication slot " + r.orphanSlot() + " is left on shard '" + r.source() + "', which was "
                    + "down; it keeps WAL there until dropped: run 'foundups-db shard cleanup' once it is back";
            note = note == null ? slot : note + "; " + slot;
        }
        return new MoveReport(r.kind(), r.name(), r.source(), r.target(), method, r.resumed(), r.rows(), r.total(),
                Optional.ofNullable(r.freeze()), note);
    }

    @Override
    public List<String> dropLeftovers() {
        return moves.dropLeftovers();
    }

    // ---- Moves.Directory

    @Override
    public Moves.Placement placement(String kind, String name) {
        return directory.placement(Placement.Kind.valueOf(kind), name).map(DirectoryMoves::toMoves).orElse(null);
    }

    @Override
    public DatabaseUrl shardUrl(String shard) {
        if (Directory.MAIN.equals(shard)) {
            return routing.settings().mainUrl();
        }
        for (Directory.ShardRow row : directory.shards()) {
            if (row.name().equals(shard)) {
                return DatabaseUrl.parse(row.url(), "the URL of shard '" + shard + "'");
            }
        }
        throw new FoundupsDbException(ErrorCode.CONFIGURATION, "there is no shard '" + shard + "' in the directory; "
                + "'foundups-db shard list' shows them");
    }

    @Override
    public void markMoving(String kind, String name) {
        Placement now = current(kind, name);
        if (now.state() != Placement.State.MOVING && !directory.markMoving(now)
                && current(kind, name).state() != Placement.State.MOVING) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, now.describe() + " changed while its move began; "
                    + "run the move again");
        }
    }

    @Override
    public void flip(String kind, String name, String targetShard) {
        Placement now = current(kind, name);
        if (now.state() == Placement.State.ACTIVE && now.shard().equals(targetShard)) {
            return; // flipped by an earlier run
        }
        directory.flip(now, targetShard);
    }

    @Override
    public void restore(String kind, String name) {
        Placement now = current(kind, name);
        if (now.state() == Placement.State.MOVING) {
            directory.flip(now, now.shard()); // epoch + 1: writers waiting on the fence retry on the same shard
        }
    }

    @Override
    public List<Moves.Placement> placementsOn(String shard) {
        return directory.placementsOn(shard).stream().map(DirectoryMoves::toMoves).toList();
    }

    @Override
    public String targetFor(String kind, String name, String drainedShard) {
        return directory.leastLoadedExcept(drainedShard).orElseThrow(() -> new FoundupsDbException(
                ErrorCode.CONFIGURATION, "cannot move " + kind.toLowerCase() + " '" + name + "' off shard '"
                + drainedShard + "': no other shard takes placements; add one with 'foundups-db shard add NAME URL'"));
    }

    private Placement current(String kind, String name) {
        return directory.placement(Placement.Kind.valueOf(kind), name).orElseThrow(() -> new FoundupsDbException(
                ErrorCode.INVALID_INPUT, kind.toLowerCase() + " '" + name + "' has no placement in the shard "
                + "directory"));
    }

    private static Moves.Placement toMoves(Placement p) {
        return new Moves.Placement(p.kind().name(), p.name(), p.shard(), p.epoch(), p.state().name());
    }
}
