package dev.foundups.db.internal.routing;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

import dev.foundups.db.NodeStatus;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * The servers of a replicated database and their health: which is the primary, and which standbys may take reads
 * (the {@link StandbyPoller} decides both; a read that finds a standby gone takes it out at once).
 */
final class Nodes {

    /** The routing log, under the one name users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    /** Every server, in the writer URL's order first, then the explicit replicas. */
    private final List<Node> all;
    /** The servers of the writer URL: the primary is the first of them not in recovery. */
    private final List<Node> writerHosts;
    private volatile Node primary;
    /** The standbys that may take reads now: reachable, in recovery, within the lag limit, not failed. */
    private volatile Node[] eligible = new Node[0];

    private Nodes(List<Node> all, List<Node> writerHosts) {
        this.all = all;
        this.writerHosts = writerHosts;
    }

    /**
     * One node per host: the primary URL's hosts (one, or several with failover), then the replicas'. A replica URL
     * without a user takes the primary's credentials; one with a user, its own.
     *
     * @param poolSize the size of each node's read pool
     */
    static Nodes of(DatabaseUrl primaryUrl, ReplicaSettings settings, int poolSize) {
        Map<String, Node> byName = new LinkedHashMap<>();
        String user = primaryUrl.user().orElse(null);
        String password = primaryUrl.password().orElse(null);
        List<Node> writers = hosts(byName, primaryUrl, user, password, poolSize);
        for (DatabaseUrl replica : settings.replicas()) {
            String replicaPassword = replica.user().isPresent() ? replica.password().orElse(null) : password;
            hosts(byName, replica, replica.user().orElse(user), replicaPassword, poolSize);
        }
        return new Nodes(List.copyOf(byName.values()), List.copyOf(writers));
    }

    /** The nodes of a URL's hosts, each host made once. */
    private static List<Node> hosts(Map<String, Node> byName, DatabaseUrl url, String user, String password,
                                    int poolSize) {
        List<Node> nodes = new ArrayList<>();
        for (String host : JdbcHosts.hosts(url.jdbcUrl())) {
            nodes.add(byName.computeIfAbsent(host, h -> new Node(h, JdbcHosts.withHost(url.jdbcUrl(), h), user,
                    password, poolSize, CONNECT_TIMEOUT)));
        }
        return nodes;
    }

    /** @return every node */
    List<Node> all() {
        return all;
    }

    /** @return the writer URL's nodes, in its order */
    List<Node> writerHosts() {
        return writerHosts;
    }

    /** @return the primary as last polled, or null before one was found */
    Node primary() {
        return primary;
    }

    /** @return the primary's name, or {@code ?} before one was found */
    String primaryName() {
        Node p = primary;
        return p == null ? "?" : p.name;
    }

    void primary(Node node) {
        primary = node;
    }

    /** @return the standbys that may take reads */
    Node[] eligible() {
        return eligible;
    }

    void eligible(Node[] nodes) {
        eligible = nodes;
    }

    /** A read failed on a node: when its server went away, it gets no reads until a poll finds it healthy again. */
    void readFailed(Node node, SQLException e) {
        if (!SqlStates.gone(e)) {
            return;
        }
        node.failed = true;
        node.lastError = DatabaseUrl.mask(e.getMessage());
        eligible = Arrays.stream(eligible).filter(n -> n != node).toArray(Node[]::new);
        node.evictConnections();
        LOG.info("replica {} failed a read ({}); no reads until it polls healthy again", node.name, node.lastError);
    }

    /**
     * @param writer       the writer pool, which the primary's reads use
     * @param primaryReads the reads that ran on the primary
     * @return every node as last polled, the primary first
     */
    List<NodeStatus> status(HikariDataSource writer, long primaryReads) {
        List<NodeStatus> list = new ArrayList<>();
        Node p = primary;
        List<Node> ordered = new ArrayList<>(all);
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
            long reads = node == p ? primaryReads : node.reads.sum();
            list.add(new NodeStatus(node.name, role, health,
                    node.reachable ? Optional.of(Lsn.format(node.walPosition)) : Optional.empty(),
                    node.reachable ? node.lagBytes : -1, Duration.ofNanos(node.reachable ? node.lagNanos : 0),
                    bean == null ? 0 : bean.getActiveConnections(), bean == null ? 0 : bean.getIdleConnections(),
                    reads, Optional.ofNullable(node.reachable && !node.failed ? null : node.lastError)));
        }
        return List.copyOf(list);
    }

    /** Closes every node's pools and poll connection. */
    void close() {
        for (Node node : all) {
            node.close();
        }
    }

    @Override
    public String toString() {
        return all.toString();
    }
}
