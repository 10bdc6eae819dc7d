package dev.foundups.db.internal.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.jooq.Configuration;
import org.jooq.ExecuteListenerProvider;
import org.jooq.TransactionListenerProvider;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.jooq.impl.DefaultTransactionListenerProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NodeStatus;
import dev.foundups.db.ReplicaReads;
import dev.foundups.db.ReplicationStatus;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * Routes a replicated PostgreSQL database's statements: writes and transactions to the writer pool (the primary),
 * reads outside a transaction to a standby that has replayed far enough, else to the primary.
 *
 * <p><b>Read-your-writes in WAL positions.</b> Each write outside a transaction and each commit takes the next
 * number of a write sequence; the thread keeps the last one it made. A background poller reads the sequence, then the
 * primary's WAL insert position: that position covers every write numbered up to what it read. A read that must see
 * write {@code n} needs the first sample that covers {@code n}, and goes to a standby whose replay position has reached
 * that sample's position. When no sample covers it yet (the write is a few milliseconds old) or no standby has replayed
 * it, the read runs on the primary: waiting for a standby would cost more than the primary's one round trip. So a
 * write costs one increment, and a read no round trip beyond its own.
 *
 * <p><b>Health.</b> The same poller reads each standby's role and replay position, and computes its lag in time from
 * the primary's recent positions. A standby that is unreachable, not in recovery, or further behind than the limit
 * gets no reads until a poll finds it healthy again (fail-back). A read that fails because its standby went away runs
 * once more on another node.
 */
public final class Router implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final String KEY = Router.class.getName();
    private static final int SAMPLES = 64;
    private static final int LAG_HISTORY = 1024;

    private final HikariDataSource writer;
    private final DatabaseUrl primaryUrl;
    private final ReplicaSettings settings;
    private final long maxLagNanos;
    private final Duration pollTimeout;
    /** Every server, in the writer URL's order first, then the explicit replicas. */
    private final List<Node> nodes;
    /** The servers of the writer URL: the primary is the first of them not in recovery. */
    private final List<Node> writerHosts;
    private final ThreadLocal<Scope> scopes = ThreadLocal.withInitial(Scope::new);
    private final AtomicLong writeSeq = new AtomicLong();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final ScheduledExecutorService poller;

    /** The primary's recent positions, oldest first, published by the poller. */
    private volatile Sample[] samples = new Sample[0];
    private volatile Node[] eligible = new Node[0];
    private volatile Node primary;
    /** Reads before this position of the primary go there (set when opening has changed the schema). */
    private volatile long floorLsn = Lsn.NONE;
    private volatile boolean opening = true;

    // the poller's own: a longer history of the primary's positions, for the lag in time
    private final long[] historyLsn = new long[LAG_HISTORY];
    private final long[] historyNanos = new long[LAG_HISTORY];
    private int historyCount;
    private int historyHead;

    private final LongAdder replicaReads = new LongAdder();
    private final LongAdder primaryReads = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();
    private final LongAdder retries = new LongAdder();

    private final Object failoverLock = new Object();
    private volatile long lostAtNanos;
    private volatile Instant lostAt;
    private volatile String lostPrimary;
    private volatile ReplicationStatus.Failover lastFailover;

    /** One thread's routing state. */
    static final class Scope {
        /** The last write this thread made, in the write sequence; 0 for none. */
        long writeSeq;
        /** The position that write needs, once known; {@link Lsn#NONE} until then. */
        long writeLsn = Lsn.NONE;
        long writeLsnSeq;
        /** From a consistency token: reads must see at least this position. */
        long requiredLsn = Lsn.NONE;
        int primaryDepth;
        /** The position the current read had to reach, for its retry. */
        long readTarget;
    }

    /** A sample of the primary's position: it covers every write numbered up to {@code seq}. */
    private record Sample(long seq, long lsn, long nanos) {
    }

    private Router(DatabaseUrl primaryUrl, HikariDataSource writer, ReplicaSettings settings, int poolSize) {
        this.primaryUrl = primaryUrl;
        this.writer = writer;
        this.settings = settings;
        this.maxLagNanos = settings.maxLag().toNanos();
        this.pollTimeout = Duration.ofSeconds(2);
        Map<String, Node> byName = new LinkedHashMap<>();
        String user = primaryUrl.user().orElse(null);
        String password = primaryUrl.password().orElse(null);
        List<Node> writers = new ArrayList<>();
        for (String host : JdbcHosts.hosts(primaryUrl.jdbcUrl())) {
            Node node = byName.computeIfAbsent(host, h -> new Node(h, JdbcHosts.withHost(primaryUrl.jdbcUrl(), h),
                    user, password, poolSize, Duration.ofSeconds(1)));
            writers.add(node);
        }
        for (DatabaseUrl replica : settings.replicas()) {
            String ru = replica.user().orElse(user);
            String rp = replica.user().isPresent() ? replica.password().orElse(null) : password;
            for (String host : JdbcHosts.hosts(replica.jdbcUrl())) {
                byName.computeIfAbsent(host, h -> new Node(h, JdbcHosts.withHost(replica.jdbcUrl(), h), ru, rp,
                        poolSize, Duration.ofSeconds(1)));
            }
        }
        this.nodes = List.copyOf(byName.values());
        this.writerHosts = List.copyOf(writers);
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "foundups-db-replica-poller");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Installs routing on a database's configuration, before any context derives from it: the connection provider,
     * and the listeners that see writes and commits. Polls every server once before it returns.
     *
     * @param configuration the database's base configuration
     * @param url           the primary (one host, or several with failover)
     * @param writer        the writer pool
     * @param settings      the replica settings
     * @param poolSize      the size of each replica's read pool
     * @return the router; closed with the database
     */
    public static Router install(DefaultConfiguration configuration, DatabaseUrl url, HikariDataSource writer,
                                 ReplicaSettings settings, int poolSize) {
        Router router = new Router(url, writer, settings, poolSize);
        RoutingConnectionProvider provider = new RoutingConnectionProvider(writer, router);
        RoutingListener listener = new RoutingListener(router, provider);
        configuration.set(provider);
        ExecuteListenerProvider[] execute = configuration.executeListenerProviders();
        ExecuteListenerProvider[] executeAll = Arrays.copyOf(execute, execute.length + 1);
        executeAll[execute.length] = new DefaultExecuteListenerProvider(listener);
        configuration.set(executeAll);
        TransactionListenerProvider[] tx = configuration.transactionListenerProviders();
        TransactionListenerProvider[] txAll = Arrays.copyOf(tx, tx.length + 1);
        txAll[tx.length] = new DefaultTransactionListenerProvider(listener);
        configuration.set(txAll);
        configuration.data(KEY, router);
        router.pollOnce();
        long interval = Math.max(5, settings.pollInterval().toMillis());
        router.poller.scheduleWithFixedDelay(router::pollSafely, interval, interval, TimeUnit.MILLISECONDS);
        return router;
    }

    /**
     * @param configuration a context's configuration
     * @return the database's router, or empty when it has no replicas
     */
    public static Optional<Router> of(Configuration configuration) {
        return Optional.ofNullable((Router) configuration.data(KEY));
    }

    Scope scope() {
        return scopes.get();
    }

    // ---- writes

    /** A write outside a transaction, or a commit, completed: later reads of this thread must see it. */
    public void committed() {
        long seq = writeSeq.incrementAndGet();
        scopes.get().writeSeq = seq;
        if (lostAtNanos != 0) {
            writesResumed();
        }
    }

    /** A statement on the writer failed: when the primary is gone, the failover clock starts. */
    public void writeFailed(SQLException e) {
        if (SqlStates.gone(e) || SqlStates.readOnly(e)) {
            primaryLost("a write failed: " + e.getMessage());
        }
    }

    private void primaryLost(String why) {
        synchronized (failoverLock) {
            if (lostAtNanos == 0) {
                lostAtNanos = System.nanoTime();
                lostAt = Instant.now();
                Node p = primary;
                lostPrimary = p == null ? "?" : p.name;
                LOG.warn("primary {} lost ({}); writes resume when a primary is reachable again", lostPrimary, why);
            }
        }
    }

    private void writesResumed() {
        synchronized (failoverLock) {
            if (lostAtNanos == 0) {
                return;
            }
            Duration downtime = Duration.ofNanos(System.nanoTime() - lostAtNanos);
            String now = currentWriterHost();
            lastFailover = new ReplicationStatus.Failover(lostAt, downtime, lostPrimary, now);
            lostAtNanos = 0;
            LOG.warn("writes resumed on {} {} ms after primary {} was lost", now, downtime.toMillis(), lostPrimary);
        }
    }

    /** Which node the writer pool reaches now, by the server's port (and address where ports repeat). */
    private String currentWriterHost() {
        try (Connection c = writer.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT inet_server_port()")) {
            rs.next();
            String port = ":" + rs.getInt(1);
            List<Node> matching = writerHosts.stream().filter(n -> n.name.endsWith(port)).toList();
            if (matching.size() == 1) {
                return matching.get(0).name;
            }
        } catch (SQLException e) {
            // fall through to what the poller saw
        }
        Node p = primary;
        return p == null ? "?" : p.name;
    }

    // ---- reads

    /**
     * Runs the thread's reads on the primary while {@code work} runs.
     *
     * @param work what to run
     * @return its result
     */
    public <T> T onPrimary(Supplier<T> work) {
        Scope s = scopes.get();
        s.primaryDepth++;
        try {
            return work.get();
        } finally {
            s.primaryDepth--;
        }
    }

    /**
     * Makes the thread's reads see at least a position while {@code work} runs.
     *
     * @param lsn  the position (from a consistency token)
     * @param work what to run
     * @return its result
     */
    public <T> T readingAfter(long lsn, Supplier<T> work) {
        Scope s = scopes.get();
        long before = s.requiredLsn;
        s.requiredLsn = umax(before, lsn);
        try {
            return work.get();
        } finally {
            s.requiredLsn = before;
        }
    }

    /**
     * The position a read must reach to see this thread's writes (or, in DATABASE mode, the database's) and the
     * tokens it was handed. Asks the primary when no poll has covered the last write yet.
     *
     * @return the position; {@link Lsn#NONE} when nothing needs to be seen
     */
    public long consistencyPosition() {
        Scope s = scopes.get();
        long seq = settings.reads() == ReplicaReads.DATABASE ? writeSeq.get() : s.writeSeq;
        long lsn = s.requiredLsn;
        if (seq > 0) {
            long covering = covering(s, seq);
            if (covering == -1) {
                covering = primaryInsertPosition();
            }
            lsn = umax(lsn, covering);
        }
        return lsn;
    }

    private long primaryInsertPosition() {
        try (Connection c = writer.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        } catch (SQLException e) {
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot read the primary's WAL position: "
                    + DatabaseUrl.mask(e.getMessage()), e);
        }
    }

    /** The first sample covering write {@code seq}, or -1 when none does yet. Cached in the scope. */
    private long covering(Scope s, long seq) {
        if (s.writeLsnSeq == seq && s.writeLsn != Lsn.NONE) {
            return s.writeLsn;
        }
        Sample[] all = samples;
        for (Sample sample : all) {
            if (sample.seq >= seq) {
                if (seq == s.writeSeq) {
                    s.writeLsnSeq = seq;
                    s.writeLsn = sample.lsn;
                }
                return sample.lsn;
            }
        }
        return -1;
    }

    /**
     * Chooses the standby for a read of this thread.
     *
     * @param exclude a node not to use (it just failed), or null
     * @return the node, or null for the primary
     */
    private Node pick(Scope s, Node exclude) {
        if (opening || s.primaryDepth > 0 || settings.reads() == ReplicaReads.NONE) {
            return null;
        }
        Node[] candidates = eligible;
        if (candidates.length == 0) {
            return null;
        }
        long target = umax(s.requiredLsn, floorLsn);
        long seq = settings.reads() == ReplicaReads.DATABASE ? writeSeq.get() : s.writeSeq;
        if (seq > 0) {
            long covering = covering(s, seq);
            if (covering == -1) {
                fallbacks.increment();
                return null;
            }
            target = umax(target, covering);
        }
        int n = candidates.length;
        int start = (roundRobin.getAndIncrement() & Integer.MAX_VALUE) % n;
        for (int i = 0; i < n; i++) {
            Node node = candidates[(start + i) % n];
            if (node != exclude && !node.failed && Lsn.atLeast(node.walPosition, target)) {
                s.readTarget = target;
                return node;
            }
        }
        if (seq > 0 || s.requiredLsn != Lsn.NONE) {
            fallbacks.increment();
        }
        return null;
    }

    /**
     * A connection for a typed read outside a transaction: a standby's, which runs the read once more elsewhere if
     * the standby fails it, or the writer's.
     */
    Connection acquireRead() throws SQLException {
        Scope s = scopes.get();
        Node node = pick(s, null);
        if (node != null) {
            try {
                Connection c = node.pool().getConnection();
                node.reads.increment();
                replicaReads.increment();
                return RetryingRead.wrap(c, node, this);
            } catch (SQLException e) {
                nodeFailed(node, e);
                retries.increment();
                return anotherOrPrimary(s, node);
            }
        }
        primaryReads.increment();
        return writer.getConnection();
    }

    /**
     * The connection to run a read again on after it failed on {@code failed}: another standby when that one went
     * away, else the primary.
     */
    Connection retryConnection(Node failed, SQLException e) throws SQLException {
        retries.increment();
        if (SqlStates.gone(e)) {
            nodeFailed(failed, e);
            return anotherOrPrimary(scopes.get(), failed);
        }
        primaryReads.increment();
        return writer.getConnection();
    }

    /** After {@code failed} failed a read: another standby's connection, else the primary's. */
    private Connection anotherOrPrimary(Scope s, Node failed) throws SQLException {
        Node other = pick(s, failed);
        if (other != null) {
            try {
                Connection c = other.pool().getConnection();
                other.reads.increment();
                replicaReads.increment();
                return c;
            } catch (SQLException again) {
                nodeFailed(other, again);
            }
        }
        primaryReads.increment();
        return writer.getConnection();
    }

    /** One read's work on a connection. */
    @FunctionalInterface
    public interface SqlWork<T> {
        /**
         * @param connection the connection, in autocommit mode
         * @return the result
         */
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs a read outside any transaction (a compiled query's): on a standby when one qualifies, once more elsewhere
     * when that standby fails it.
     *
     * @param work the read
     * @return its result
     */
    public <T> T read(SqlWork<T> work) throws SQLException {
        Scope s = scopes.get();
        Node node = pick(s, null);
        if (node != null) {
            try (Connection c = node.pool().getConnection()) {
                T result = work.run(c);
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
        primaryReads.increment();
        try (Connection c = writer.getConnection()) {
            return work.run(c);
        }
    }

    void nodeFailed(Node node, SQLException e) {
        if (!SqlStates.gone(e)) {
            return;
        }
        node.failed = true;
        node.lastError = DatabaseUrl.mask(e.getMessage());
        eligible = Arrays.stream(eligible).filter(n -> n != node).toArray(Node[]::new);
        node.evictConnections();
        LOG.info("replica {} failed a read ({}); no reads until it polls healthy again", node.name,
                node.lastError);
    }

    // ---- opening

    /** Opening is done: from now on reads may use standbys that have replayed what opening changed. */
    public void opened() {
        try {
            floorLsn = primaryInsertPosition();
        } finally {
            opening = false;
        }
    }

    // ---- polling

    private void pollSafely() {
        try {
            pollOnce();
        } catch (RuntimeException | Error e) {
            LOG.warn("replica poll failed: {}", e.toString());
        }
    }

    private synchronized void pollOnce() {
        long seqBefore = writeSeq.get();
        for (Node node : nodes) {
            boolean wasReachable = node.reachable;
            boolean ok = node.poll(pollTimeout);
            if (ok) {
                node.failed = false;
            } else if (wasReachable) {
                node.evictConnections();
                LOG.info("node {} unreachable: {}", node.name, DatabaseUrl.mask(node.lastError));
            }
        }
        long now = System.nanoTime();
        Node p = null;
        for (Node node : writerHosts) {
            if (node.reachable && !node.inRecovery) {
                p = node;
                break;
            }
        }
        Node before = primary;
        if (p == null) {
            if (before != null || lostAtNanos == 0) {
                primaryLost("no primary among " + writerHosts + " answers");
            }
        } else {
            if (before != null && before != p) {
                LOG.warn("primary moved from {} to {}", before.name, p.name);
            }
            primary = p;
            long lsn = p.walPosition;
            Sample[] old = samples;
            Sample[] next = old.length < SAMPLES ? Arrays.copyOf(old, old.length + 1)
                    : Arrays.copyOfRange(old, 1, SAMPLES + 1);
            next[next.length - 1] = new Sample(seqBefore, lsn, now);
            samples = next;
            historyLsn[historyHead] = lsn;
            historyNanos[historyHead] = now;
            historyHead = (historyHead + 1) % LAG_HISTORY;
            historyCount = Math.min(LAG_HISTORY, historyCount + 1);
        }
        List<Node> ok = new ArrayList<>();
        for (Node node : nodes) {
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
                node.lagNanos = lagNanos(node.walPosition, now);
            }
            if (!node.failed && node.lagNanos <= maxLagNanos) {
                ok.add(node);
            }
        }
        eligible = ok.toArray(new Node[0]);
    }

    /** How long the primary has been past {@code replay}: from the oldest remembered position beyond it. */
    private long lagNanos(long replay, long now) {
        int start = (historyHead - historyCount + LAG_HISTORY) % LAG_HISTORY;
        for (int i = 0; i < historyCount; i++) {
            int at = (start + i) % LAG_HISTORY;
            if (!Lsn.atLeast(replay, historyLsn[at])) {
                return now - historyNanos[at];
            }
        }
        return 0;
    }

    // ---- status

    /** @return every node as last polled, the primary first, and the routing counters */
    public ReplicationStatus status() {
        List<NodeStatus> list = new ArrayList<>();
        Node p = primary;
        List<Node> ordered = new ArrayList<>(nodes);
        if (p != null) {
            ordered.remove(p);
            ordered.add(0, p);
        }
        List<Node> up = Arrays.asList(eligible);
        for (Node node : ordered) {
            NodeStatus.Role role = !node.reachable ? NodeStatus.Role.UNKNOWN
                    : node.inRecovery ? NodeStatus.Role.REPLICA : NodeStatus.Role.PRIMARY;
            NodeStatus.Health health;
            if (!node.reachable || node.failed) {
                health = NodeStatus.Health.DOWN;
            } else if (role == NodeStatus.Role.PRIMARY || up.contains(node)) {
                health = NodeStatus.Health.UP;
            } else {
                health = NodeStatus.Health.LAGGING;
            }
            HikariDataSource pool = node == p ? writer : node.poolIfOpen();
            HikariPoolMXBean bean = pool == null ? null : pool.getHikariPoolMXBean();
            long reads = node == p ? primaryReads.sum() : node.reads.sum();
            list.add(new NodeStatus(node.name, role, health,
                    node.reachable ? Optional.of(Lsn.format(node.walPosition)) : Optional.empty(),
                    node.reachable ? node.lagBytes : -1, Duration.ofNanos(node.reachable ? node.lagNanos : 0),
                    bean == null ? 0 : bean.getActiveConnections(), bean == null ? 0 : bean.getIdleConnections(),
                    reads, Optional.ofNullable(node.reachable && !node.failed ? null : node.lastError)));
        }
        return new ReplicationStatus(List.copyOf(list), settings.maxLag(), settings.reads(), replicaReads.sum(),
                primaryReads.sum(), fallbacks.sum(), retries.sum(), Optional.ofNullable(lastFailover));
    }

    @Override
    public void close() {
        poller.shutdownNow();
        try {
            poller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Node node : nodes) {
            node.close();
        }
    }

    private static long umax(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    @Override
    public String toString() {
        return "Router" + nodes;
    }
}
