package dev.foundups.db.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.jdbc.DataSourcePoolMetricsAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.micrometer.core.instrument.MeterRegistry;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.testing.Backend;

/** The meters and the health contributor, on both dialects. */
@ParameterizedClass
@EnumSource(Backend.class)
class MetricsAndHealthTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FoundupsDbAutoConfiguration.class,
                        FoundupsDbMetricsAutoConfiguration.class, FoundupsDbHealthAutoConfiguration.class,
                        DataSourceAutoConfiguration.class, MetricsAutoConfiguration.class,
                        CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                        DataSourcePoolMetricsAutoConfiguration.class, HealthContributorAutoConfiguration.class))
                .withPropertyValues("foundups.database-url=" + backend.newDatabaseUrl(dir));
    }

    @Test
    void theDatabaseIsMeasured() {
        MeterRegistry[] kept = new MeterRegistry[1];
        runner().run(context -> {
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            kept[0] = registry;
            FoundUps foundUps = context.getBean(FoundUps.class);
            foundUps.get("measured_a").addUser("u1", "One");
            foundUps.get("measured_b").addUser("u1", "One");
            context.getBean(Modules.class).get("chat_rules");

            String pool = backend == Backend.SQLITE ? "foundups-db-sqlite" : "foundups-db-postgresql";
            assertThat(registry.get("hikaricp.connections").tag("pool", pool).gauge().value()).isPositive();
            assertThat(registry.get("hikaricp.connections.max").tag("pool", pool).gauge().value())
                    .isEqualTo(backend == Backend.SQLITE ? 4 : 10);

            assertThat(registry.get("foundups.db.namespaces").tags("kind", "foundup", "state", "ready").gauge()
                    .value()).isEqualTo(2);
            assertThat(registry.get("foundups.db.namespaces").tags("kind", "module", "state", "ready").gauge()
                    .value()).isEqualTo(1);
            assertThat(registry.get("foundups.db.namespaces").tags("kind", "foundup", "state", "failed").gauge()
                    .value()).isZero();
            assertThat(registry.get("foundups.db.namespace.creations").tag("kind", "foundup").timer().count())
                    .isEqualTo(2);
            assertThat(registry.get("foundups.db.namespace.creations").tag("kind", "module").timer().count())
                    .isEqualTo(1);
            assertThat(registry.get("foundups.db.migrations").tag("outcome", "success").timer().count())
                    .as("the migration run on start-up").isEqualTo(1);
            assertThat(registry.get("foundups.db.migration.namespaces").tag("outcome", "failed").counter().count())
                    .isZero();
            long writes = registry.get("foundups.db.sqlite.write.wait").timer().count();
            if (backend == Backend.SQLITE) {
                assertThat(writes).as("3 namespace transactions and 2 inserts").isGreaterThanOrEqualTo(5);
            } else {
                assertThat(writes).as("PostgreSQL has no write queue").isZero();
            }
        });
        long checkpoints = kept[0].get("foundups.db.sqlite.checkpoints").tag("outcome", "complete").timer().count();
        assertThat(checkpoints).as("close checkpoints SQLite once").isEqualTo(backend == Backend.SQLITE ? 1 : 0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void healthIsUpWithFailedNamespacesInTheDetailsAndDownWhenTheDatabaseIsGone() {
        runner().withPropertyValues("management.health.foundupsdb.enabled=true").run(context -> {
            FoundupsDb db = context.getBean(FoundupsDb.class);
            HealthIndicator indicator = context.getBean("foundupsDbHealthIndicator", HealthIndicator.class);
            db.foundUp("healthy").addUser("u1", "One");
            db.foundUp("broken").addUser("u1", "One");

            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("dialect", backend.name().toLowerCase(Locale.ROOT))
                    .containsEntry("failedNamespaceCount", 0)
                    .doesNotContainKey("failedNamespaces");
            assertThat((Map<String, Map<String, Integer>>) health.getDetails().get("namespaces"))
                    .containsEntry("foundup", Map.of("ready", 2, "failed", 0, "dropped", 0));
            assertThat((Map<String, Integer>) health.getDetails().get("pool")).containsKeys("active", "idle");

            // As a template change that failed leaves it.
            db.dsl().execute("UPDATE foundupsdb_namespaces SET state = 'failed', last_error = 'column x exists' "
                    + "WHERE name = 'broken'");
            health = indicator.health();
            assertThat(health.getStatus()).as("one failed FoundUp must not take the service down")
                    .isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("failedNamespaceCount", 1)
                    .containsEntry("failedNamespaces", Map.of("foundup:broken", "column x exists"));
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            Thread.sleep(5_100); // the gauges re-read the catalog at most every 5 s
            assertThat(registry.get("foundups.db.namespaces").tags("kind", "foundup", "state", "failed").gauge()
                    .value()).isEqualTo(1);

            db.close();
            health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(String.valueOf(health.getDetails().get("error"))).contains("Error getting connection");
        });
    }
}
