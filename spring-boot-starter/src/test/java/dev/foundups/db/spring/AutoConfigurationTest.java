package dev.foundups.db.spring;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.JdbcTemplateAutoConfiguration;
import org.springframework.boot.autoconfigure.jooq.JooqAutoConfiguration;
import org.springframework.boot.autoconfigure.liquibase.LiquibaseAutoConfiguration;
import org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.AgentMemory;
import dev.foundups.db.DatabaseListener;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbBuilder;
import dev.foundups.db.NamespaceCatalog;
import dev.foundups.db.testing.Backend;

/**
 * The beans the starter offers, and which of Boot's own auto-configurations back off beside it. Boot's are all
 * present here, as in an application that has spring-boot-starter-jdbc and -jooq.
 */
class AutoConfigurationTest {

    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(FoundupsDbAutoConfiguration.class,
                        DataSourceAutoConfiguration.class, JooqAutoConfiguration.class,
                        TransactionAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
                        JdbcTemplateAutoConfiguration.class))
                .withPropertyValues("foundups.database-url=" + Backend.SQLITE.newDatabaseUrl(dir));
    }

    @Test
    void oneDatabaseItsPoolAsTheDataSourceAndItsNamespacesAsBeans() {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            FoundupsDb db = context.getBean(FoundupsDb.class);
            assertThat(context).hasSingleBean(DataSource.class);
            assertThat(context.getBean(DataSource.class)).isSameAs(db.dataSource());
            assertThat(context.getBean(AgentMemory.class)).isSameAs(db.agents());
            assertThat(context.getBean(NamespaceCatalog.class)).isSameAs(db.catalog());

            context.getBean(FoundUps.class).get("beans").addUser("u1", "One");
            assertThat(db.foundUp("beans").user("u1")).isPresent();
            assertThat(context.getBean(Modules.class).get("chat_rules").name()).isEqualTo("chat_rules");
            // Spring's JDBC sees the same database through the DataSource bean.
            assertThat(context.getBean(JdbcTemplate.class).queryForObject(
                    "SELECT COUNT(*) FROM foundups_beans_users", Integer.class)).isEqualTo(1);
        });
    }

    @Test
    void bootsJooqBacksOffForTheSharedContextWhoseWritesQueueForTheOneWriter() {
        AtomicInteger gatedWrites = new AtomicInteger();
        DatabaseListener counter = new DatabaseListener() {
            @Override
            public void writeWaited(Duration waited) {
                gatedWrites.incrementAndGet();
            }
        };
        runner().withBean(FoundupsDbBuilderCustomizer.class, () -> builder -> builder.listener(counter))
                .run(context -> {
                    FoundupsDb db = context.getBean(FoundupsDb.class);
                    assertThat(context).hasSingleBean(DSLContext.class);
                    assertThat(context.getBean(DSLContext.class)).isSameAs(db.dsl());
                    assertThat(context).hasSingleBean(org.jooq.Configuration.class);
                    assertThat(context.getBean(org.jooq.Configuration.class)).isSameAs(db.dsl().configuration());
                    // A write through the bean queues for SQLite's one writer, which a context that Boot built on
                    // the pool would not.
                    int before = gatedWrites.get();
                    context.getBean(DSLContext.class).insertInto(AGENTS_AWAKENING)
                            .set(AGENTS_AWAKENING.AGENT_ID, "a1").set(AGENTS_AWAKENING.CONSCIOUSNESS_LEVEL, "0102")
                            .execute();
                    assertThat(gatedWrites.get()).isEqualTo(before + 1);
                    assertThat(db.dsl().fetchCount(AGENTS_AWAKENING)).isEqualTo(1);
                });
    }

    @Test
    void anApplicationsOwnDataSourceWinsAndTheDatabaseStillOpens() {
        runner().withUserConfiguration(OwnDataSource.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(DataSource.class);
            assertThat(context.getBean(DataSource.class)).isNotSameAs(context.getBean(FoundupsDb.class).dataSource());
            assertThat(context.getBean(FoundupsDb.class).agents()).isNotNull();
        });
    }

    @Test
    void anApplicationThatSetsSpringDatasourceUrlGetsBootsPoolOnIt() {
        String other = "jdbc:sqlite:" + dir.resolve("other.db");
        runner().withPropertyValues("spring.datasource.url=" + other).run(context -> {
            assertThat(context).hasSingleBean(DataSource.class);
            HikariDataSource boots = context.getBean(DataSource.class).unwrap(HikariDataSource.class);
            assertThat(boots.getJdbcUrl()).isEqualTo(other);
            assertThat(boots).isNotSameAs(context.getBean(FoundupsDb.class).dataSource());
        });
    }

    @Test
    void bootsLiquibaseWithoutTheStartersCheckWouldStopStartUpForWantOfAChangelog() {
        // ApplicationContextRunner runs no EnvironmentPostProcessor: this is Boot's Liquibase as it would be.
        runner().withConfiguration(AutoConfigurations.of(LiquibaseAutoConfiguration.class)).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("db.changelog-master.yaml");
        });
    }

    @Test
    void everyBuilderSettingIsAProperty() {
        runner().withPropertyValues("foundups.maximum-pool-size=3", "foundups.busy-timeout=2s",
                "foundups.migrate-on-open=false", "foundups.migration-parallelism=1", "foundups.wal-size-limit=2MB",
                "foundups.postgres-client-tools=" + dir).run(context -> {
                    FoundupsDb db = context.getBean(FoundupsDb.class);
                    assertThat(db.dataSource().unwrap(HikariDataSource.class).getMaximumPoolSize()).isEqualTo(3);
                    assertThat(db.openingMigration()).as("migrate-on-open=false").isEmpty();
                });
        runner().withPropertyValues("foundups.schema-changes-on-open=false").run(context ->
                assertThat(context.getBean(FoundupsDb.class).openingMigration()).isEmpty());
    }

    @Test
    void closingTheContextClosesTheDatabaseAndLeavesNothingOpenOnTheFile() throws Exception {
        Path file = dir.resolve("foundups.db");
        runner().run(context -> context.getBean(FoundUps.class).get("closing").addUser("u1", "One"));
        SqliteFiles.assertClosed(file);
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnDataSource {
        @Bean
        DataSource appDataSource() {
            HikariDataSource ds = new HikariDataSource();
            ds.setJdbcUrl("jdbc:sqlite::memory:");
            ds.setMaximumPoolSize(1);
            return ds;
        }
    }
}
