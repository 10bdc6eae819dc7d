package dev.foundups.db.spring;

import javax.sql.DataSource;

import org.jooq.DSLContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jooq.JooqAutoConfiguration;
import org.springframework.boot.autoconfigure.liquibase.LiquibaseAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotatedTypeMetadata;

import dev.foundups.db.AgentMemory;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbBuilder;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.NamespaceCatalog;

/**
 * Opens one {@link FoundupsDb} for the application (closed on shutdown) and offers it, its namespaces and its pool
 * as beans.
 *
 * <ul>
 *   <li>{@code DataSource}: the database's pool, unless the application defines a DataSource itself (a bean, or
 *       {@code spring.datasource.url}). Boot's {@link DataSourceAutoConfiguration} then backs off (it makes a pool
 *       only when there is no DataSource).</li>
 *   <li>{@code DSLContext} and {@code org.jooq.Configuration}: the database's shared context, whose writes on
 *       SQLite queue for the one writer. Boot's {@link JooqAutoConfiguration} then makes neither (a context it
 *       built on the pool would write past that queue).</li>
 *   <li>{@link FoundUps}, {@link Modules}, {@link AgentMemory}, {@link NamespaceCatalog}.</li>
 * </ul>
 *
 * <p>Opening runs the migrations, before any bean that uses the DataSource (Boot's Liquibase, JPA) starts.
 */
@AutoConfiguration(before = {DataSourceAutoConfiguration.class, JooqAutoConfiguration.class,
        LiquibaseAutoConfiguration.class})
@EnableConfigurationProperties(FoundupsDbProperties.class)
public class FoundupsDbAutoConfiguration {

    /** The property that names the database; {@code DATABASE_URL} when it is unset. */
    static final String DATABASE_URL_PROPERTY = "foundups.database-url";

    /**
     * @param properties  the {@code foundups.*} properties
     * @param environment where {@code DATABASE_URL} is looked up when {@code foundups.database-url} is unset
     * @param resources   the application's class loader, where module templates are found
     * @param customizers applied after the properties
     * @return the open database
     * @throws InvalidConfigurationPropertyValueException naming the property with a bad value
     * @throws FoundupsDbException CONFIGURATION naming {@code foundups.database-url} or {@code DATABASE_URL} for a
     *                             URL of no accepted form; DB_CONNECTION, MIGRATION when the database cannot be
     *                             opened (see {@code FoundupsDbFailureAnalyzer})
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public FoundupsDb foundupsDb(FoundupsDbProperties properties, Environment environment, ResourceLoader resources,
                                ObjectProvider<FoundupsDbBuilderCustomizer> customizers) {
        FoundupsDbBuilder builder = FoundupsDb.configure();
        String url = properties.getDatabaseUrl();
        if (url != null) {
            // Checked here, before anything opens. Not reported as Boot's invalid property value: that report
            // prints the value as configured, password included. FoundupsDbFailureAnalyzer prints the masked message.
            builder.databaseUrl(url, DATABASE_URL_PROPERTY);
        } else if (environment.getProperty(FoundupsDb.DATABASE_URL) != null) {
            // System property, environment variable, command-line argument or application.properties alike.
            builder.databaseUrl(environment.getProperty(FoundupsDb.DATABASE_URL), FoundupsDb.DATABASE_URL);
        }
        if (properties.getMaximumPoolSize() != null) {
            set("maximum-pool-size", properties.getMaximumPoolSize(),
                    () -> builder.maximumPoolSize(properties.getMaximumPoolSize()));
        }
        set("busy-timeout", properties.getBusyTimeout(), () -> builder.busyTimeout(properties.getBusyTimeout()));
        if (properties.getMigrationParallelism() != null) {
            set("migration-parallelism", properties.getMigrationParallelism(),
                    () -> builder.migrationParallelism(properties.getMigrationParallelism()));
        }
        set("wal-size-limit", properties.getWalSizeLimit(),
                () -> builder.walSizeLimit(properties.getWalSizeLimit().toBytes()));
        if (properties.getPostgresClientTools() != null) {
            builder.postgresClientTools(properties.getPostgresClientTools());
        }
        if (properties.getReadReplicas() != null) {
            builder.readReplicas(properties.getReadReplicas(), "foundups.read-replicas");
        }
        if (properties.getMaxReplicaLag() != null) {
            set("max-replica-lag", properties.getMaxReplicaLag(),
                    () -> builder.maxReplicaLag(properties.getMaxReplicaLag()));
        }
        if (properties.getReplicaReads() != null) {
            builder.replicaReads(properties.getReplicaReads());
        }
        builder.migrateOnOpen(properties.isMigrateOnOpen())
                .schemaChangesOnOpen(properties.isSchemaChangesOnOpen());
        if (resources.getClassLoader() != null) {
            builder.classLoader(resources.getClassLoader());
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.open();
    }

    /**
     * Applies one property, turning the builder's refusal into Boot's exception for a bad property value, whose
     * failure analysis names the property, where it was set, and why it was refused.
     */
    private static void set(String property, Object value, Runnable apply) {
        try {
            apply.run();
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException("foundups." + property, value, e.getMessage());
        }
    }

    /**
     * The database's pool as the application's DataSource. Not closed as a bean: {@link FoundupsDb#close()} closes
     * it, after the last checkpoint on SQLite, which needs it.
     *
     * @param db the database
     * @return its pool
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean(DataSource.class)
    @Conditional(NoBootDataSourceUrl.class)
    public DataSource dataSource(FoundupsDb db) {
        return db.dataSource();
    }

    /**
     * @param db the database
     * @return its shared context ({@code agents_*} and any table under its own name)
     */
    @Bean
    @ConditionalOnMissingBean(DSLContext.class)
    public DSLContext dslContext(FoundupsDb db) {
        return db.dsl();
    }

    /**
     * The shared context's configuration, so that Boot's jOOQ auto-configuration makes no second one on the pool.
     * Boot's {@code DefaultConfigurationCustomizer} beans do not apply to it.
     *
     * @param db the database
     * @return the configuration of its shared context
     */
    @Bean
    @ConditionalOnMissingBean(org.jooq.Configuration.class)
    public org.jooq.Configuration jooqConfiguration(FoundupsDb db) {
        return db.dsl().configuration();
    }

    /**
     * @param db the database
     * @return its FoundUps
     */
    @Bean
    @ConditionalOnMissingBean
    public FoundUps foundUps(FoundupsDb db) {
        return new FoundUps(db);
    }

    /**
     * @param db the database
     * @return its modules
     */
    @Bean
    @ConditionalOnMissingBean
    public Modules modules(FoundupsDb db) {
        return new Modules(db);
    }

    /**
     * @param db the database
     * @return the shared agent memory
     */
    @Bean
    @ConditionalOnMissingBean
    public AgentMemory agentMemory(FoundupsDb db) {
        return db.agents();
    }

    /**
     * @param db the database
     * @return its catalog of namespaces
     */
    @Bean
    @ConditionalOnMissingBean
    public NamespaceCatalog namespaceCatalog(FoundupsDb db) {
        return db.catalog();
    }

    /**
     * An application that sets {@code spring.datasource.url} asks Boot for that DataSource: the FoundUps DB pool must
     * not silently take its place.
     */
    static final class NoBootDataSourceUrl extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return context.getEnvironment().containsProperty("spring.datasource.url")
                    ? ConditionOutcome.noMatch("spring.datasource.url is set: Boot makes that DataSource")
                    : ConditionOutcome.match("no spring.datasource.url");
        }
    }
}
