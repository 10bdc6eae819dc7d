package dev.foundups.db.internal.routing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.ReplicaReads;
import dev.foundups.db.ReplicationStatus;
import dev.foundups.db.internal.routing.ReadYourWrites.Scope;

/**
 * Chooses the connection of each read outside a transaction: a standby that has replayed what the read must see
 * ({@link ReadYourWrites}), taken round-robin among those the poller found healthy, else the writer pool (the
 * primary). Waiting for a standby would cost more than the primary's one round trip, so a read never waits. A read
 * that fails because its standby went away runs once more on another node. Counts where reads went, for the status.
 */
final class ReadRouting {

    private final HikariDataSource writer;
    private final Nodes nodes;
    private final ReadYourWrites positions;
    private final ReplicaReads mode;
    private final AtomicInteger roundRobin = new AtomicInteger();

    private final LongAdder replicaReads = new LongAdder();
    private final LongAdder primaryReads = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();
    private final LongAdder retries = new LongAdder();

    /** Reads before this position of the primary go there (set when opening has changed the schema). */
    private volatile long floorLsn = Lsn.NONE;
    private volatile boolean opening = true;

    ReadRouting(HikariDataSource writer, Nodes nodes, ReadYourWrites positions, ReplicaReads mode) {
        this.writer = writer;
        this.nodes = nodes;
        this.positions = positions;
        this.mode = mode;
    }

    /**
     * Opening is done: from now on reads may use standbys that have replayed what opening changed.
     *
     * @param primaryPosition the primary's position now
     */
    void opened(LongSupplier primaryPosition) {
        try {
            floorLsn = primaryPosition.getAsLong();
        } finally {
            opening = false;
        }
    }

    /**
     * Chooses the standby for a read of this thread.
     *
     * @param exclude a node not to use (it just failed), or null
     * @return the node, or null for the primary
     */
    private Node pick(Scope s, Node exclude) {
        if (opening || s.primaryDepth > 0 || mode == ReplicaReads.NONE) {
            return null;
        }
        Node[] candidates = nodes.eligible();
        if (candidates.length == 0) {
            return null;
        }
        long required = positions.required(s);
        if (required == ReadYourWrites.UNCOVERED) {
            fallbacks.increment();
            return null;
        }
        long target = Lsn.later(required, floorLsn);
        int n = candidates.length;
        int start = (roundRobin.getAndIncrement() & Integer.MAX_VALUE) % n;
        for (int i = 0; i < n; i++) {
            Node node = candidates[(start + i) % n];
            if (node != exclude && !node.failed && Lsn.atLeast(node.walPosition, target)) {
                return node;
            }
        }
        if (positions.seesSomething(s)) {
            fallbacks.increment();
        }
        return null;
    }

    /**
     * A connection for a typed read outside a transaction: a standby's, which runs the read once more elsewhere if
     * the standby fails it, or the writer's.
     */
    Connection acquireRead() throws SQLException {
        Scope s = positions.scope();
        Node node = pick(s, null);
        if (node != null) {
            try {
                return RetryingRead.wrap(replica(node), node, this);
            } catch (SQLException e) {
                nodes.readFailed(node, e);
                retries.increment();
                return anotherOrPrimary(s, node);
            }
        }
        return primary();
    }

    /**
     * The connection to run a read again on after it failed on {@code failed}: another standby when that one went
     * away, else the primary.
     */
    Connection retryConnection(Node failed, SQLException e) throws SQLException {
        retries.increment();
        if (SqlStates.gone(e)) {
            nodes.readFailed(failed, e);
            return anotherOrPrimary(positions.scope(), failed);
        }
        return primary();
    }

    /** After {@code failed} failed a read: another standby's connection, else the primary's. */
    private Connection anotherOrPrimary(Scope s, Node failed) throws SQLException {
        Node other = pick(s, failed);
        if (other != null) {
            try {
                return replica(other);
            } catch (SQLException again) {
                nodes.readFailed(other, again);
            }
        }
        return primary();
    }

    /** A standby's connection, counted as a read there. */
    private Connection replica(Node node) throws SQLException {
        Connection c = node.pool().getConnection();
        node.reads.increment();
        replicaReads.increment();
        return c;
    }

    /** The writer pool's connection, counted as a read on the primary. */
    private Connection primary() throws SQLException {
        primaryReads.increment();
        return writer.getConnection();
    }

    /**
     * Runs a read outside any transaction: on a standby when one qualifies, once more elsewhere when that standby
     * fails it.
     */
    <T> T read(Router.SqlWork<T> work) throws SQLException {
        Node node = pick(positions.scope(), null);
        if (node != null) {
            try (Connection c = node.pool().getConnection()) {
                T result = work.run(c);
                // Counted once it succeeded: a read that fails here is counted where it runs again.
                node.reads.increment();
                replicaReads.increment();
                return result;
            } catch (SQLException e) {
                if (!SqlStates.retryableOnReplica(e)) {
                    throw e;
                }
                try (Connection c = retryConnection(node, e)) {
                    return work.run(c);
                }
            }
        }
        try (Connection c = primary()) {
            return work.run(c);
        }
    }

    /**
     * @param settings     the replica settings, for the limits they report
     * @param lastFailover the last failover, if any
     * @return every node as last polled and where reads went
     */
    ReplicationStatus status(ReplicaSettings settings, Optional<ReplicationStatus.Failover> lastFailover) {
        long onPrimary = primaryReads.sum();
        return new ReplicationStatus(nodes.status(writer, onPrimary), settings.maxLag(), settings.reads(),
                replicaReads.sum(), onPrimary, fallbacks.sum(), retries.sum(), lastFailover);
    }
}
