package dev.foundups.db.internal.sharding;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

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
     * Moves one module, FoundUp or agent.
     *
     * @param kind   what it is
     * @param name   its name
     * @param target the shard to move it to
     */
    void move(Placement.Kind kind, String name, String target);

    /**
     * Moves everything off a shard, which takes no new placements from then on.
     *
     * @param shard the shard
     */
    void drain(String shard);

    /**
     * @param routing the database's routing
     * @return the mover of this build
     */
    static NamespaceMover of(ShardRouting routing) {
        return new NamespaceMover() {
            @Override
            public void move(Placement.Kind kind, String name, String target) {
                throw notBuilt();
            }

            @Override
            public void drain(String shard) {
                throw notBuilt();
            }
        };
    }

    private static FoundupsDbException notBuilt() {
        return new FoundupsDbException(ErrorCode.CONFIGURATION, "moving namespaces between shards is not part of "
                + "this build of FoundUps DB yet: the placement can be chosen when a namespace is created "
                + "(catalog().create(kind, name, shard))");
    }
}
