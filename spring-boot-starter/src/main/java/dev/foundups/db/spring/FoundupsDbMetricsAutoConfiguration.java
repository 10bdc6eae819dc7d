package dev.foundups.db.spring;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbBuilder;

/**
 * Micrometer metrics of the database, when the application has a {@code MeterRegistry} (the actuator makes one):
 *
 * <ul>
 *   <li>HikariCP's own pool metrics, {@code hikaricp.connections.*} tagged {@code pool=foundups-db-sqlite} or
 *       {@code foundups-db-postgresql} (Boot's DataSource pool metrics then leave this pool alone);</li>
 *   <li>{@code foundups.db.namespaces} (gauge; tags {@code kind}, {@code state});</li>
 *   <li>{@code foundups.db.namespace.creations} (timer; tag {@code kind}): provisioning rate and time;</li>
 *   <li>{@code foundups.db.migrations} (timer; tag {@code outcome=success|failure}) and
 *       {@code foundups.db.migration.namespaces} (counter; tag {@code outcome=migrated|failed});</li>
 *   <li>SQLite: {@code foundups.db.sqlite.write.wait} (timer) and {@code foundups.db.sqlite.checkpoints} (timer;
 *       tag {@code outcome=complete|incomplete}).</li>
 *   <li>With read replicas: {@code foundups.db.replica.lag}, {@code foundups.db.replica.lag.bytes},
 *       {@code foundups.db.node.up} (tag {@code node}), {@code foundups.db.reads} (tag {@code target}),
 *       {@code foundups.db.reads.fallbacks} and {@code foundups.db.reads.retried} (see {@link ReplicationMeters}).
 *       The database has no shards yet, so nothing is tagged by shard.</li>
 * </ul>
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
        "dev.foundups.db.spring.FoundupsDbAutoConfiguration"})
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({MeterRegistry.class, FoundupsDb.class})
public class FoundupsDbMetricsAutoConfiguration {

    /**
     * Hands the registry to the builder before the database opens, so that the migration run on start-up is
     * measured too. Ordered first: a customizer of the application's that sets its own listener replaces this one.
     *
     * @param registry the application's registry
     * @return the customizer
     */
    @Bean
    @Order(0)
    public FoundupsDbBuilderCustomizer foundupsDbMetrics(MeterRegistry registry) {
        return builder -> builder.metricRegistry(registry).listener(new MicrometerListener(registry));
    }

    /**
     * Registers the namespace gauges once the database is open. A plain bean rather than a {@code MeterBinder}:
     * the database needs the registry to open, so the registry must not need the database.
     *
     * @param db       the database
     * @param registry the application's registry
     * @return the gauges' source
     */
    @Bean
    NamespaceGauges foundupsDbNamespaceGauges(FoundupsDb db, MeterRegistry registry) {
        return new NamespaceGauges(db, registry);
    }

    /**
     * Registers the replication meters once the database is open; registers nothing without read replicas.
     *
     * @param db       the database
     * @param registry the application's registry
     * @return the meters' source
     */
    @Bean
    ReplicationMeters foundupsDbReplicationMeters(FoundupsDb db, MeterRegistry registry) {
        return new ReplicationMeters(db, registry);
    }
}
