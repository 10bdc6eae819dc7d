package dev.foundups.db.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.micrometer.core.instrument.MeterRegistry;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.testing.ReplicationCluster;

/**
 * Replica lag, routing counts and the replication health details, on a real primary with a streaming standby
 * (PostgreSQL only: SQLite has no replicas).
 */
class ReplicationMetricsTest {

    @Test
    void replicasAreMeasuredAndReportedInHealth(@TempDir Path dir) {
        try (ReplicationCluster cluster = ReplicationCluster.start(dir, List.of(Duration.ZERO), false)) {
            cluster.createDatabase("spring_replicas");
            String standby = cluster.server(1).hostPort();
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(FoundupsDbAutoConfiguration.class,
                            FoundupsDbMetricsAutoConfiguration.class, FoundupsDbHealthAutoConfiguration.class,
                            DataSourceAutoConfiguration.class, MetricsAutoConfiguration.class,
                            CompositeMeterRegistryAutoConfiguration.class,
                            SimpleMetricsExportAutoConfiguration.class, HealthContributorAutoConfiguration.class))
                    .withPropertyValues(
                            "foundups.database-url=" + ReplicationCluster.url(cluster.primary(), "spring_replicas"),
                            "foundups.read-replicas=" + ReplicationCluster.url(cluster.server(1), "spring_replicas"),
                            "foundups.max-replica-lag=5s")
                    .run(context -> {
                        MeterRegistry registry = context.getBean(MeterRegistry.class);
                        FoundUps foundUps = context.getBean(FoundUps.class);
                        foundUps.get("replicated").addUser("u1", "One");
                        FoundupsDb db = context.getBean(FoundupsDb.class);
                        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                        // Reads of this thread go to the standby once it has replayed the write.
                        while (db.replication().orElseThrow().readsOnReplicas() == 0 && System.nanoTime() < deadline) {
                            assertThat(foundUps.get("replicated").user("u1")).isPresent();
                            Thread.sleep(50);
                        }

                        assertThat(registry.get("foundups.db.reads").tag("target", "replica").functionCounter()
                                .count()).isPositive();
                        assertThat(registry.get("foundups.db.node.up").tag("node", standby).gauge().value())
                                .isEqualTo(1.0);
                        assertThat(registry.get("foundups.db.replica.lag.bytes").tag("node", standby).gauge()
                                .value()).isGreaterThanOrEqualTo(0);
                        assertThat(registry.get("foundups.db.replica.lag").tag("node", standby).gauge().value())
                                .isGreaterThanOrEqualTo(0);

                        Health health = context.getBean("foundupsDbHealthIndicator", HealthIndicator.class).health();
                        assertThat(health.getStatus()).isEqualTo(Status.UP);
                        @SuppressWarnings("unchecked")
                        Map<String, Object> replication = (Map<String, Object>) health.getDetails().get("replication");
                        assertThat(replication).containsKeys("nodes", "replicasBehindLagLimit");
                        assertThat(((Map<?, ?>) replication.get("nodes")).containsKey(standby)).isTrue();
                    });
        }
    }
}
