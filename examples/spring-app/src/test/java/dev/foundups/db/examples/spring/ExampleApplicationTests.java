package dev.foundups.db.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestExecutionListener;
import org.springframework.test.context.TestExecutionListeners;

/**
 * The example application as its users and operators see it, over HTTP: the FoundUp endpoint writes and reads
 * through the typed API, health and metrics are served, and once the application stops nothing is left open on
 * the database. Each dialect's subclass says where the database is.
 *
 * <p>The application stops as it does in production, by closing its context: {@code @DirtiesContext} makes the
 * test framework close it after the class, and {@link NothingLeftOpen} then looks at the database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
@TestExecutionListeners(listeners = ExampleApplicationTests.NothingLeftOpen.class,
        mergeMode = TestExecutionListeners.MergeMode.MERGE_WITH_DEFAULTS)
abstract class ExampleApplicationTests {

    /** The test that ran last, whose database {@link NothingLeftOpen} checks. */
    private static volatile ExampleApplicationTests ran;

    @Autowired
    TestRestTemplate http;

    /** @return "sqlite" or "postgresql", as health reports it */
    abstract String dialect();

    /**
     * Asserts that the stopped application left no connection (and on SQLite no lock or WAL file) on its database.
     *
     * @throws Exception when the database cannot be looked at
     */
    abstract void assertNothingLeftOpen() throws Exception;

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"}) // JSON read as plain maps
    void servesAFoundUpReportsHealthAndMetricsAndStopsCleanly() throws Exception {
        ResponseEntity<Map> created = http.postForEntity("/foundups/youtube_bot/users",
                Map.of("id", "user123", "username", "StreamViewer"), Map.class);
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        assertThat(created.getBody()).containsEntry("id", "user123").containsEntry("username", "StreamViewer")
                .containsKey("createdAt");
        http.postForEntity("/foundups/youtube_bot/users", Map.of("id", "user456", "username", "Lurker"), Map.class);

        List<Map<String, Object>> users = http.getForObject("/foundups/youtube_bot/users", List.class);
        assertThat(users).extracting(u -> u.get("id")).containsExactly("user123", "user456");
        assertThat(http.getForObject("/foundups/other_bot/users", List.class)).as("another FoundUp's tables")
                .isEmpty();
        assertThat(http.postForEntity("/foundups/youtube_bot/users",
                Map.of("id", "user123", "username", "Again"), Map.class).getStatusCode())
                .isEqualTo(HttpStatus.CONFLICT);
        assertThat(http.getForEntity("/foundups/Not-An-Id/users", Map.class).getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);

        Map<String, Object> health = http.getForObject("/actuator/health", Map.class);
        assertThat(health).containsEntry("status", "UP");
        Map<String, Object> foundupsDb = component(health, "foundupsDb");
        assertThat(foundupsDb).containsEntry("status", "UP");
        Map<String, Object> details = (Map<String, Object>) foundupsDb.get("details");
        assertThat(details).containsEntry("dialect", dialect()).containsEntry("failedNamespaceCount", 0);
        assertThat((Map<String, Map<String, Integer>>) details.get("namespaces"))
                .containsEntry("foundup", Map.of("ready", 2, "failed", 0, "dropped", 0));
        assertThat(component(health, "db")).as("Boot's own DataSource check, on the same pool")
                .containsEntry("status", "UP");

        assertThat(metric("foundups.db.namespaces?tag=kind:foundup&tag=state:ready")).isEqualTo(2.0);
        assertThat(metric("foundups.db.namespace.creations?tag=kind:foundup")).isEqualTo(2.0);
        assertThat(metric("foundups.db.migrations?tag=outcome:success")).as("the run on start-up").isEqualTo(1.0);
        String pool = "foundups-db-" + dialect();
        assertThat(metric("hikaricp.connections.max?tag=pool:" + pool)).isPositive();
        assertThat(metric("hikaricp.connections.acquire?tag=pool:" + pool)).isPositive();
        if (dialect().equals("sqlite")) {
            assertThat(metric("foundups.db.sqlite.write.wait")).as("2 namespaces and 2 users, at least")
                    .isGreaterThanOrEqualTo(4.0);
        }

        ran = this;
    }

    /**
     * Runs after the test framework closed the application's context: "after" callbacks run in reverse order, so
     * the highest precedence puts this one after {@code DirtiesContextTestExecutionListener}'s.
     */
    static final class NothingLeftOpen implements TestExecutionListener, Ordered {
        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }

        @Override
        public void afterTestClass(TestContext testContext) throws Exception {
            ExampleApplicationTests test = ran;
            ran = null;
            assertThat(test).as("the test ran to its end").isNotNull();
            test.assertNothingLeftOpen();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> component(Map<String, Object> health, String name) {
        return (Map<String, Object>) ((Map<String, Object>) health.get("components")).get(name);
    }

    /** The first measurement (COUNT of a timer, VALUE of a gauge) of {@code /actuator/metrics/NAME?tag=...}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private double metric(String nameAndTags) {
        ResponseEntity<Map> response = http.getForEntity("/actuator/metrics/" + nameAndTags, Map.class);
        assertThat(response.getStatusCode()).as(nameAndTags).isEqualTo(HttpStatus.OK);
        List<Map<String, Object>> measurements = (List<Map<String, Object>>) response.getBody().get("measurements");
        return ((Number) measurements.get(0).get("value")).doubleValue();
    }
}
