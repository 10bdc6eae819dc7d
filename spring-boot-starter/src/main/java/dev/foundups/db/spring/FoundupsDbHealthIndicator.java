package dev.foundups.db.spring;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.NodeStatus;
import dev.foundups.db.ReplicationStatus;

/**
 * The database's health: DOWN when the catalog cannot be read; otherwise UP, with the namespaces by kind and state,
 * the failed ones with their errors, and the pool's connections as details.
 *
 * <p>Failed namespaces leave the status UP on purpose: one FoundUp whose template change failed must not take every
 * instance of the service out of its load balancer. They are in the details ({@code failedNamespaces}) and in the
 * {@code foundups.db.namespaces{state=failed}} gauge, which is what to alert on.
 */
class FoundupsDbHealthIndicator extends AbstractHealthIndicator {

    private final FoundupsDb db;

    FoundupsDbHealthIndicator(FoundupsDb db) {
        super("FoundUps DB health check failed");
        this.db = db;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws SQLException {
        Map<NamespaceKind, Map<NamespaceState, Integer>> counts = CatalogCounts.byKindAndState(db);
        Map<String, Map<String, Integer>> namespaces = new LinkedHashMap<>();
        int failed = 0;
        for (var kind : counts.entrySet()) {
            Map<String, Integer> states = new LinkedHashMap<>();
            kind.getValue().forEach((state, count) -> states.put(state.catalogValue(), count));
            namespaces.put(kind.getKey().catalogValue(), states);
            failed += kind.getValue().get(NamespaceState.FAILED);
        }
        builder.up()
                .withDetail("dialect", db.dialect().name().toLowerCase(Locale.ROOT))
                .withDetail("database", db.url().toString())
                .withDetail("namespaces", namespaces)
                .withDetail("failedNamespaceCount", failed);
        if (failed > 0) {
            builder.withDetail("failedNamespaces", CatalogCounts.failed(db));
        }
        HikariPoolMXBean pool = db.dataSource().unwrap(HikariDataSource.class).getHikariPoolMXBean();
        if (pool != null) {
            builder.withDetail("pool", Map.of("active", pool.getActiveConnections(),
                    "idle", pool.getIdleConnections(), "total", pool.getTotalConnections(),
                    "waiting", pool.getThreadsAwaitingConnection()));
        }
        db.replication().ifPresent(status -> replication(builder, status));
    }

    /**
     * With read replicas: every server's role, health and lag, and the replicas behind their lag limit. A lagging
     * or lost replica leaves the database UP (its reads go elsewhere); alert on {@code foundups.db.node.up}.
     */
    private static void replication(Health.Builder builder, ReplicationStatus status) {
        Map<String, Map<String, Object>> nodes = new LinkedHashMap<>();
        List<String> behind = new ArrayList<>();
        for (NodeStatus node : status.nodes()) {
            nodes.put(node.name(), Map.of("role", node.role().name().toLowerCase(Locale.ROOT),
                    "health", node.health().name().toLowerCase(Locale.ROOT),
                    "lagBytes", node.lagBytes(), "lagMillis", node.lag().toMillis()));
            if (node.health() == NodeStatus.Health.LAGGING) {
                behind.add(node.name());
            }
        }
        builder.withDetail("replication", Map.of("nodes", nodes, "maxReplicaLagMillis",
                status.maxReplicaLag().toMillis(), "replicasBehindLagLimit", behind));
    }
}
