package dev.foundups.db.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.testing.Backend;

/** {@code foundups-db copy} as an operator runs it: SQLite to each backend, refusals, verification, exit codes. */
@ParameterizedClass
@EnumSource(Backend.class)
class CopyCommandTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    String source;
    String target;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void databases() {
        source = "sqlite:///" + dir.resolve("source.db");
        target = backend.newDatabaseUrl(dir.resolve("target"));
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(source).open()) {
            db.agents().learnPattern("agent1", "fix", "{\"a\":1}");
            for (int i = 0; i < 5; i++) {
                db.foundUp("fu" + i).addUser("u", "User " + i);
            }
        }
    }

    Run run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FoundupsDbCli.execute(new PrintWriter(out), new PrintWriter(err), environment, args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void copiesTheConfiguredDatabaseThenRefusesToCopyOverIt() {
        Run copy = run(Map.of("DATABASE_URL", source), "copy", "--to", target);
        assertEquals(0, copy.exitCode(), copy.err());
        assertEquals("", copy.err());
        assertTrue(copy.out().startsWith("14 tables, 6 rows to copy\n"), copy.out());
        assertTrue(copy.out().contains("copied 6/6 rows, 14/14 tables\n"), copy.out());
        assertTrue(copy.out().contains("copied 6 rows in 14 tables in "), copy.out());
        assertTrue(copy.out().endsWith("verified: 15 tables hold the same rows on both sides (row counts and "
                + "checksums)\n"), copy.out());
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(target).open()) {
            assertEquals("User 3", db.foundUp("fu3").user("u").orElseThrow().getUsername());
        }

        Run again = run(Map.of(), "copy", "--from", source, "--to", target);
        assertEquals(1, again.exitCode());
        assertTrue(again.err().startsWith("foundups-db: --to "), again.err());
        assertTrue(again.err().contains(" is not empty: "), again.err());
        assertTrue(again.err().endsWith("Copy into an empty database, or add --replace to drop its FoundUps DB "
                + "tables first\n"), again.err());
        assertEquals(1, again.err().lines().count(), "one line, no stack trace");

        Run verify = run(Map.of(), "copy", "--from", source, "--to", target, "--verify-only", "--tables");
        assertEquals(0, verify.exitCode(), verify.err());
        assertTrue(verify.out().contains("  foundups_fu2_users: 1 rows, checksum "), verify.out());

        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(target).open()) {
            db.foundUp("fu2").addUser("extra", "Extra");
        }
        Run differs = run(Map.of(), "copy", "--from", source, "--to", target, "--verify-only");
        assertEquals(1, differs.exitCode());
        assertEquals("  foundups_fu2_users: 1 rows in the source, 2 in the target\nfoundups-db: 1 of 15 tables differ "
                + "between ", differs.err().substring(0, differs.err().indexOf(" between ") + 9));

        Run replaced = run(Map.of(), "copy", "--from", source, "--to", target, "--replace");
        assertEquals(0, replaced.exitCode(), replaced.err());
    }

    @Test
    void badInputIsOneLineWithTheRightExitCode() {
        Run badUrl = run(Map.of(), "copy", "--from", source, "--to", "mysql://h/db");
        assertEquals(2, badUrl.exitCode());
        assertTrue(badUrl.err().startsWith("foundups-db: --to 'mysql://h/db' is not a supported database URL"),
                badUrl.err());

        Run noSource = run(Map.of(), "copy", "--from", "sqlite:///" + dir.resolve("none.db"),
                "--to", target);
        assertEquals(2, noSource.exitCode());
        assertEquals("foundups-db: --from: there is no SQLite database at " + dir.resolve("none.db") + "\n",
                noSource.err());

        Run both = run(Map.of(), "copy", "--from", source, "--to", target, "--resume", "--restart");
        assertEquals(1 + 1, both.exitCode());
        assertEquals("foundups-db: --resume and --restart exclude each other: choose one\n", both.err());

        Run noTarget = run(Map.of(), "copy", "--from", source);
        assertEquals(2, noTarget.exitCode());
        assertTrue(noTarget.err().startsWith("Missing required option: '--to=URL'"), noTarget.err());

        Run help = run(Map.of(), "copy", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("--resume"), help.out());
    }
}
