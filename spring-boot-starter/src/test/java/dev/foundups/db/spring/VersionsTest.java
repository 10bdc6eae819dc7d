package dev.foundups.db.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.zaxxer.hikari.HikariDataSource;

import liquibase.util.LiquibaseUtil;

/**
 * The versions the project pins win over the Spring Boot BOM's (which would bring other jOOQ, Liquibase and HikariCP
 * versions): checked on what is actually loaded.
 */
class VersionsTest {

    @Test
    void thePinnedVersionsAreTheOnesLoaded() {
        assertThat(org.jooq.Constants.VERSION).isEqualTo("3.19.39");
        assertThat(LiquibaseUtil.getBuildVersion()).isEqualTo("4.33.0");
        assertThat(HikariDataSource.class.getProtectionDomain().getCodeSource().getLocation().toString())
                .contains("HikariCP-7.1.0.jar");
        assertThat(org.sqlite.JDBC.class.getProtectionDomain().getCodeSource().getLocation().toString())
                .contains("sqlite-jdbc-3.50.3.0.jar");
    }
}
