package dev.foundups.db.internal.sharding;

import java.util.List;

import dev.foundups.db.MoveReport;


/**
 * Moves what is placed on one shard to another: the entry point of {@code catalog().move(...)} and
 * {@code shards().drain(...)}. The contract with the routing (see {@link MoveFence}): mark the placement MOVING
 * ({@link Directory#markMoving}) before the fence commits; fence the source tables with
 * {@code ALTER TABLE ... SET SCHEMA foundupsdb_moved} in the transaction that locks them; then name the new shard
 * with {@link Directory#flip} (epoch + 1, ACTIVE, notified), or flip back to the source to roll back. Agents are
 * moved by rows; their writers wait while the placement is MOVING.
 */
interface NamespaceMover {

    /**
     * Moves one module, FoundUp or agent, or finishes its interrupted move.
     *
     * @param kind   what it is
     * @param name   its name
     * @param target the shard to move it to
     * @return what the move did
     */
    MoveReport move(Placement.Kind kind, String name, String target);

    /**
     * Moves everything off a shard, which takes no new placements from then on.
     *
     * @param shard the shard
     * @return what each move did, in order
     */
    List<MoveReport> drain(String shard);

    /** @return lines for what finished moves left on sources that are still down */
    List<String> dropLeftovers();

    /**
     * @param routing the database's routing
     * @return the mover of a sharded database
     */
    static NamespaceMover of(ShardRouting routing) {
        return new DirectoryMoves(routing);
    }
}
