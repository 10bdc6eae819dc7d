package dev.foundups.db;

/**
 * Which reads may go to a read replica, and whose writes they must see ({@code FoundupsDbBuilder.replicaReads},
 * or {@code DATABASE_REPLICA_READS}). Writes, DDL, migrations and every statement of a transaction always go to the
 * primary; so does any read inside {@link FoundupsDb#onPrimary(java.util.function.Supplier)}.
 *
 * <p>Read-your-writes is measured in WAL positions, not time: a read that must see a write goes to a standby only
 * when that standby has replayed the primary's WAL past the write; otherwise it runs on the primary. A
 * {@link ConsistencyToken} carries the same guarantee to another thread or process.
 */
public enum ReplicaReads {
    /**
     * The default. Typed reads outside a transaction (module and FoundUp contexts, {@code db.dsl()}, compiled
     * queries) may use a standby; each thread sees every write it made itself, and every write a token it was handed
     * covers.
     */
    THREAD,
    /**
     * As {@link #THREAD}, but each read sees every write any thread of this {@code FoundupsDb} committed before it.
     * Under a steady stream of writes most reads then run on the primary.
     */
    DATABASE,
    /** Standbys get no reads: everything runs on the primary. Status and failover still work. */
    NONE
}
