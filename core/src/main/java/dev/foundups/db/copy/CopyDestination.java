package dev.foundups.db.copy;

import java.util.List;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.copy.SourceDatabase.Plan;
import dev.foundups.db.internal.sharding.ShardRouting;

/**
 * Where a copy's rows go: the target's one database ({@link SingleTarget}), or, when the target is sharded, its
 * shards ({@link ShardedTarget}). Either makes the target's namespaces and says which database gets each table's
 * rows; {@link Copier} copies and verifies the units alike.
 */
interface CopyDestination {

    /**
     * Makes the target's namespaces for the plan (on a sharded target: places them first), keeping what an earlier,
     * interrupted run made.
     *
     * @return every table of the plan as units on the target's databases, in copy order, the catalog's last
     */
    List<CopyUnit> provision(SourceDatabase source, Plan plan);

    /**
     * @return the plan's units on the target as it is, for a verification: nothing is created or placed
     */
    List<CopyUnit> existing(SourceDatabase source, Plan plan);

    /** Once every unit is copied: makes the copy durable, and on a sharded target marks its placements placed. */
    void finish();

    /**
     * @param tables the verified tables
     * @return what each shard got; empty for a target that is one database
     */
    List<CopyReport.ShardResult> shards(List<CopyReport.TableResult> tables);

    /**
     * @param target   the target, opened
     * @param settings the copy's settings
     * @return its shards when it is sharded (each opened now: one that cannot be reached fails here, before the
     *         run writes anything), else its one database
     * @throws dev.foundups.db.FoundupsDbException DB_CONNECTION naming a shard that cannot be reached
     */
    static CopyDestination of(FoundupsDb target, DatabaseCopy.CopySettings settings) {
        return ShardRouting.of(target.dsl().configuration()).flatMap(ShardRouting::copyTarget)
                .<CopyDestination>map(cluster -> {
                    cluster.open();
                    return new ShardedTarget(cluster, settings);
                })
                .orElseGet(() -> new SingleTarget(target, settings));
    }
}
