package dev.foundups.db.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import liquibase.integration.spring.SpringLiquibase;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.testing.Backend;

/**
 * Boot's Liquibase beside FoundUps DB: absent without a changelog of the application's (instead of failing start-up),
 * and run on the FoundUps DB pool, after FoundUps DB opened, when the application has one.
 */
class BootLiquibaseTest {

    @TempDir
    Path dir;

    @SpringBootApplication
    static class App {
    }

    @Test
    void withoutAChangelogOfItsOwnTheApplicationStartsAndBootsLiquibaseBacksOff() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .run("--foundups.database-url=" + Backend.SQLITE.newDatabaseUrl(dir))) {
            assertThat(context.getBeansOfType(SpringLiquibase.class)).isEmpty();
            assertThat(context.getBean(FoundupsDb.class).agents()).isNotNull();
        }
    }

    @Test
    void anApplicationsChangelogRunsOnTheSameDatabaseAfterFoundupsDbOpened() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .run("--foundups.database-url=" + Backend.SQLITE.newDatabaseUrl(dir),
                        "--spring.liquibase.change-log=classpath:/app/changelog.xml")) {
            assertThat(context.getBeansOfType(SpringLiquibase.class)).hasSize(1);
            FoundupsDb db = context.getBean(FoundupsDb.class);
            assertThat(db.dsl().fetchCount(db.dsl().selectFrom("app_notes"))).isZero();
            assertThat(db.dsl().fetchCount(db.dsl().selectFrom("agents_memory"))).isZero();
        }
    }
}
