package dev.foundups.db.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * What a user sees when start-up fails on a setting: Boot's failure report, naming the property. Each test starts a
 * real SpringApplication, which is what runs the failure analyzers.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {

    @TempDir
    Path dir;

    @SpringBootApplication
    static class App {
    }

    private void start(String... args) {
        new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE).run(args);
    }

    @Test
    void aMisspelledPropertyIsNamed(CapturedOutput output) {
        assertThatThrownBy(() -> start("--foundups.databse-url=jdbc:sqlite:" + dir.resolve("x.db")));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Property: foundups.databse-url")
                .contains("were left unbound");
    }

    @Test
    void aDatabaseUrlOfAnotherKindIsNamedWithItsPasswordMasked(CapturedOutput output) {
        assertThatThrownBy(() -> start("--foundups.database-url=mysql://app:s3cret@db/x"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("FoundUps DB could not open the database (CONFIGURATION): foundups.database-url "
                        + "'mysql://app:****@db/x' is not a supported database URL")
                .contains("Accepted forms: sqlite:///relative/path.db")
                .doesNotContain("s3cret");
    }

    @Test
    void aPoolTooSmallIsNamedWithTheRule(CapturedOutput output) {
        assertThatThrownBy(() -> start("--foundups.database-url=jdbc:sqlite:" + dir.resolve("x.db"),
                "--foundups.maximum-pool-size=1"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("Invalid value '1' for configuration property 'foundups.maximum-pool-size'")
                .contains("maximumPoolSize cannot be less than 2");
    }

    @Test
    void aBadDatabaseUrlVariableIsNamedWithTheFormsToUse(CapturedOutput output) {
        assertThatThrownBy(() -> start("--DATABASE_URL=mysql://db/x"));
        assertThat(output).contains("APPLICATION FAILED TO START")
                .contains("FoundUps DB could not open the database (CONFIGURATION)")
                .contains("DATABASE_URL")
                .contains("Set foundups.database-url (or the DATABASE_URL environment variable)");
    }
}
