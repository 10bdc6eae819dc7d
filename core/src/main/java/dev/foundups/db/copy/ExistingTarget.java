package dev.foundups.db.copy;

/**
 * What a copy does when the target database already holds data. On a sharded target (the database {@code to}
 * names lists shards) each mode covers {@code main} and every shard, and none changes which shards there are.
 */
public enum ExistingTarget {
    /**
     * Refuse, naming what the target holds (the default). An empty database, or one never used, is copied into; a
     * sharded target must hold nothing but its list of shards, on main and on every shard.
     */
    REFUSE,
    /**
     * Continue a copy from the same source that was interrupted: tables it finished are kept, the rest are copied.
     * On a target that holds no interrupted copy this is the same as {@link #REFUSE}. On a sharded target each
     * shard records the tables it finished, and namespaces and agents keep the shards the first run placed them on.
     */
    RESUME,
    /**
     * Start over: drop every FoundUps DB table of the target ({@code agents_*}, {@code modules_*},
     * {@code foundups_*}, {@code foundupsdb_*} and Liquibase's {@code databasechangelog*}) first. Other tables are
     * left alone. A sharded target is emptied instead, main and every shard: namespace tables dropped, shared
     * tables and the placements emptied; its shards stay registered (and its move history is kept).
     */
    REPLACE
}
