package dev.foundups.db.spring;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.ResourceLoader;

/**
 * Keeps Boot's Liquibase auto-configuration from failing start-up in applications that have no changelog of their
 * own. FoundUps DB brings Liquibase onto the class path and offers a DataSource, which is all Boot's
 * {@code LiquibaseAutoConfiguration} asks for; it would then look for {@code db/changelog/db.changelog-master.yaml}
 * (or {@code spring.liquibase.change-log}) and stop start-up when there is none. FoundUps DB runs its own changelogs
 * itself.
 *
 * <p>So when that changelog does not exist and {@code spring.liquibase.enabled} is not set anywhere, this sets it
 * to false, as the lowest-ranked property source. An application that has a changelog gets Boot's Liquibase as
 * usual: it runs on the FoundUps DB pool after FoundUps DB opened.
 */
class LiquibaseChangelogCheck implements EnvironmentPostProcessor, Ordered {

    static final String DEFAULT_CHANGELOG = "classpath:/db/changelog/db.changelog-master.yaml";
    static final String SOURCE_NAME = "foundupsDbLiquibaseDefaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty("spring.liquibase.enabled")) {
            return;
        }
        String changeLog = environment.getProperty("spring.liquibase.change-log", DEFAULT_CHANGELOG);
        ResourceLoader resources = application.getResourceLoader() != null ? application.getResourceLoader()
                : new DefaultResourceLoader(application.getClassLoader());
        if (!resources.getResource(changeLog).exists()) {
            environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME,
                    Map.of("spring.liquibase.enabled", "false")));
        }
    }

    /** After the application's own configuration files are loaded, so that their settings are seen. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
