/**
 * Sharding by namespace over several PostgreSQL databases. The database {@code DATABASE_URL} names holds the
 * directory (the shards, and the shard of every module, FoundUp and agent, with an epoch bumped by every move) and
 * is itself the shard {@code main}. {@link dev.foundups.db.internal.sharding.ShardRouting} is the facade: namespace
 * contexts borrow their connections from their namespace's shard at each borrow
 * ({@link dev.foundups.db.internal.sharding.PlacedDataSource}), placements are cached in the process and dropped
 * on {@code NOTIFY}, and a statement that meets a move's fence waits for the move and runs again on the new shard.
 * Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.sharding;
