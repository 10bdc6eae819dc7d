package dev.foundups.db.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot web application on FoundUps DB: the starter and one property (or {@code DATABASE_URL}) give it the
 * database, the {@link UsersController}'s FoundUps, health and metrics.
 *
 * <pre>
 * DATABASE_URL=postgresql://fu:secret@localhost:5432/foundups java -jar foundups-db-example-spring-app.jar
 * curl -X POST localhost:8080/foundups/youtube_bot/users -H 'Content-Type: application/json' \
 *      -d '{"id":"user123","username":"StreamViewer"}'
 * curl localhost:8080/actuator/health
 * </pre>
 */
@SpringBootApplication
public class ExampleApplication {

    /**
     * @param args Spring Boot's command-line arguments, such as {@code --foundups.database-url=...}
     */
    public static void main(String[] args) {
        SpringApplication.run(ExampleApplication.class, args);
    }
}
