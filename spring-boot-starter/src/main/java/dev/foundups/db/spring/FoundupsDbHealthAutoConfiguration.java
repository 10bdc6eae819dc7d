package dev.foundups.db.spring;

import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.foundups.db.FoundupsDb;

/**
 * The {@code foundupsDb} health contributor, with the actuator: {@code /actuator/health/foundupsDb}. Turned off by
 * {@code management.health.foundupsdb.enabled=false}. Boot's own {@code db} indicator checks the same pool (as it
 * checks every DataSource) with a validation query only.
 */
@AutoConfiguration(after = FoundupsDbAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(FoundupsDb.class)
@ConditionalOnEnabledHealthIndicator("foundupsdb")
public class FoundupsDbHealthAutoConfiguration {

    /**
     * @param db the database
     * @return its health indicator
     */
    @Bean
    @ConditionalOnMissingBean(name = "foundupsDbHealthIndicator")
    public HealthIndicator foundupsDbHealthIndicator(FoundupsDb db) {
        return new FoundupsDbHealthIndicator(db);
    }
}
