package dev.foundups.db.internal.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * The background thread that watches the servers: each poll reads every node's role and WAL position, finds the
 * primary, samples its position for {@link ReadYourWrites}, computes each standby's lag in time from the primary's
 * recent positions, and publishes the standbys that may take reads. A standby that is unreachable, not in recovery,
 * or further behind than the limit gets none until a poll finds it healthy again (fail-back).
 */
final class StandbyPoller implements AutoCloseable {

    /** The routing log, under the one name users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final int LAG_HISTORY = 1024;
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(2);

    private final Nodes nodes;
    private final ReadYourWrites positions;
    private final FailoverWatch failover;
    private final long maxLagNanos;
    private final ScheduledExecutorService executor;
    /** The poller's own: a longer history of the primary's positions than the samples, for the lag in time. */
    private final History history = new History();

    StandbyPoller(Nodes nodes, ReadYourWrites positions, FailoverWatch failover, Duration maxLag) {
        this.nodes = nodes;
        this.positions = positions;
        this.failover = failover;
        this.maxLagNanos = maxLag.toNanos();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "foundups-db-replica-poller");
            t.setDaemon(true);
            return t;
        });
    }

    /** Polls every {@code interval} (at least 5 ms) from now on, on the poller's thread. */
    void start(Duration interval) {
        long millis = Math.max(5, interval.toMillis());
        executor.scheduleWithFixedDelay(this::pollSafely, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void pollSafely() {
        try {
            pollOnce();
        } catch (RuntimeException | Error e) {
            LOG.warn("replica poll failed: {}", e.toString());
        }
    }

    /** Polls every node once and publishes what it found. */
    synchronized void pollOnce() {
        long seqBefore = positions.sequence();
        for (Node node : nodes.all()) {
            boolean wasReachable = node.reachable;
            if (node.poll(POLL_TIMEOUT)) {
                node.failed = false;
            } else if (wasReachable) {
                node.evictConnections();
                LOG.info("node {} unreachable: {}", node.name, DatabaseUrl.mask(node.lastError));
            }
        }
        long now = System.nanoTime();
        Node p = null;
        for (Node node : nodes.writerHosts()) {
            if (node.reachable && !node.inRecovery) {
                p = node;
                break;
            }
        }
        if (p == null) {
            failover.lost("no primary among " + nodes.writerHosts() + " answers");
        } else {
            Node before = nodes.primary();
            if (before != null && before != p) {
                LOG.warn("primary moved from {} to {}", before.name, p.name);
            }
            nodes.primary(p);
            positions.sampled(seqBefore, p.walPosition);
            history.add(p.walPosition, now);
        }
        List<Node> ok = new ArrayList<>();
        for (Node node : nodes.all()) {
            if (!node.reachable) {
                node.lagBytes = -1;
                continue;
            }
            if (!node.inRecovery) {
                node.lagBytes = 0;
                node.lagNanos = 0;
                continue;
            }
            if (p != null) {
                node.lagBytes = Lsn.atLeast(node.walPosition, p.walPosition) ? 0 : p.walPosition - node.walPosition;
                node.lagNanos = history.lagNanos(node.walPosition, now);
            }
            if (!node.failed && node.lagNanos <= maxLagNanos) {
                ok.add(node);
            }
        }
        nodes.eligible(ok.toArray(new Node[0]));
    }

    /** Stops polling, waiting up to 5 s for a poll in progress. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The primary's last positions, each with when it was polled: a ring of {@code LAG_HISTORY} entries. */
    private static final class History {
        private final long[] lsn = new long[LAG_HISTORY];
        private final long[] nanos = new long[LAG_HISTORY];
        private int count;
        private int head;

        void add(long position, long at) {
            lsn[head] = position;
            nanos[head] = at;
            head = (head + 1) % LAG_HISTORY;
            count = Math.min(LAG_HISTORY, count + 1);
        }

        /** How long the primary has been past {@code replay}: from the oldest remembered position beyond it. */
        long lagNanos(long replay, long now) {
            int start = (head - count + LAG_HISTORY) % LAG_HISTORY;
            for (int i = 0; i < count; i++) {
                int at = (start + i) % LAG_HISTORY;
                if (!Lsn.atLeast(replay, lsn[at])) {
                    return now - nanos[at];
                }
            }
            return 0;
        }
    }
}
