/**
 * Moves between shards: a module's or FoundUp's tables online by logical replication (or offline under a fence
 * where the source's WAL is not logical), an agent's rows, and a shard's drain; every step journaled in
 * {@code foundupsdb_moves} so a killed move resumes or rolls back. {@link dev.foundups.db.internal.moves.Moves} is
 * the entry, and the directory side implements its {@code Directory}. Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.moves;
