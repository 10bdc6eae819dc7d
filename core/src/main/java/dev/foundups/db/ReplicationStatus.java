package dev.foundups.db;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The servers of a replicated PostgreSQL database and how reads were routed: {@link FoundupsDb#replication()}.
 * Without replicas the list holds the one server and every read counts as a primary read.
 *
 * @param nodes                 every server, the primary first
 * @param maxReplicaLag         the lag limit past which a replica gets no reads
 * @param replicaReads          which reads may use replicas
 * @param readsOnReplicas       reads this process ran on a replica
 * @param readsOnPrimary        reads this process ran on the primary (no replica was eligible, or it had to see a
 *                              write no replica had replayed yet, or it was forced there)
 * @param readYourWritesFallbacks reads that went to the primary because no replica had replayed their own writes
 * @param retriedReads          reads whose replica failed and that were run again on another node
 * @param lastFailover          the last time the primary was lost and writes resumed: when, how long, where
 */
public record ReplicationStatus(List<NodeStatus> nodes, Duration maxReplicaLag, ReplicaReads replicaReads,
                                long readsOnReplicas, long readsOnPrimary, long readYourWritesFallbacks,
                                long retriedReads, Optional<Failover> lastFailover) {

    /**
     * A loss of the primary and the first write that succeeded after it.
     *
     * @param lostAt      when the library first saw the primary gone (a failed poll or write)
     * @param downtime    from then to the first acknowledged write on a primary
     * @param fromPrimary the primary before, such as {@code db1:5432}
     * @param toPrimary   the primary after: the same one when it only restarted
     */
    public record Failover(Instant lostAt, Duration downtime, String fromPrimary, String toPrimary) {
    }
}
