package dev.foundups.db.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.testing.Backend;

/** The command line as an operator uses it: output, exit codes, errors, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class CliTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    String url;

    /** What one run printed, and its exit code. */
    record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void database() {
        url = backend.newDatabaseUrl(dir);
    }

    Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FoundupsDbCli.execute(new PrintWriter(out), new PrintWriter(err), Map.of(), args);
        return new Run(code, out.toString(), err.toString());
    }

    Run runWithUrl(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--url";
        all[1] = url;
        System.arraycopy(args, 0, all, 2, args.length);
        return run(all);
    }

    @Test
    void initCreatesTheSharedTablesAndRegistersTheModules() {
        Run init = runWithUrl("init");
        assertEquals(0, init.exitCode(), init.err());
        assertTrue(init.out().contains("modules registered now: chat_rules"), init.out());
        Run again = runWithUrl("init");
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains("modules registered now: none"), again.out());
    }

    @Test
    void namespacesAreCreatedListedAndDropped() {
        assertEquals(0, runWithUrl("init").exitCode());
        Run create = runWithUrl("namespace", "create", "foundup", "youtube_bot");
        assertEquals(0, create.exitCode(), create.err());
        assertEquals("created foundup:youtube_bot: tables foundups_youtube_bot_*, template 'foundup' version 1\n",
                create.out());

        Run duplicate = runWithUrl("namespace", "create", "FOUNDUP", "youtube_bot");
        assertEquals(1, duplicate.exitCode());
        assertEquals("foundups-db: FoundUp id 'youtube_bot' exists already\n", duplicate.err());

        Run list = runWithUrl("namespace", "list", "--json");
        assertEquals(0, list.exitCode(), list.err());
        List<Map<String, String>> rows = objects(list.out());
        assertEquals(List.of("chat_rules", "youtube_bot"), rows.stream().map(r -> r.get("name")).sorted().toList());

        Run refused = runWithUrl("namespace", "drop", "foundup", "youtube_bot");
        assertEquals(1, refused.exitCode());
        assertTrue(refused.err().contains("without --yes"), refused.err());
        Run drop = runWithUrl("namespace", "drop", "foundup", "youtube_bot", "--yes");
        assertEquals(0, drop.exitCode(), drop.err());
        Run after = runWithUrl("namespace", "list");
        assertFalse(after.out().contains("youtube_bot"), after.out());
        assertTrue(runWithUrl("namespace", "list", "--all").out().contains("dropped"));
    }

    @Test
    void aFoundUpIsRenamed() {
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.foundUp("old_bot").addUser("u1", "kept");
            db.foundUp("other_bot");
        }
        Run rename = runWithUrl("namespace", "rename", "old_bot", "new_bot");
        assertEquals(0, rename.exitCode(), rename.err());
        assertEquals("renamed foundup:old_bot to foundup:new_bot: tables foundups_new_bot_*\n", rename.out());
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            assertEquals("kept", db.foundUp("new_bot").user("u1").orElseThrow().getUsername());
        }

        Run taken = runWithUrl("namespace", "rename", "new_bot", "other_bot");
        assertEquals(1, taken.exitCode());
        assertEquals("foundups-db: FoundUp id 'new_bot' cannot be renamed to 'other_bot': FoundUp id 'other_bot' "
                + "exists already. Choose another name, or drop 'other_bot' first\n", taken.err());
        Run missing = runWithUrl("namespace", "rename", "old_bot", "x");
        assertEquals(2, missing.exitCode());
        assertEquals("foundups-db: there is no FoundUp id 'old_bot' to rename\n", missing.err());
        Run badName = runWithUrl("namespace", "rename", "new_bot", "Bad-Name");
        assertEquals(2, badName.exitCode());
        assertTrue(badName.err().contains("is not valid: use 1 to 37 lower-case letters"), badName.err());

        Run help = run("namespace", "rename", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().startsWith("Usage: foundups-db namespace rename ") && help.out().contains(" FROM TO"),
                help.out());
        assertTrue(help.out().contains("run 'migrate' first"), help.out());
    }

    @Test
    void statusReportsWithoutChangingAnything() {
        assertEquals(0, runWithUrl("init").exitCode());
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.agents().recordError("h", "KeyError", "{}");
            db.foundUp("fu_a");
        }
        Run status = runWithUrl("status", "--json");
        assertEquals(0, status.exitCode(), status.err());
        Map<String, String> top = topLevel(status.out());
        assertEquals(backend == Backend.SQLITE ? "sqlite" : "postgresql", top.get("dialect"));
        assertEquals("true", top.get("initialised"));
        assertEquals("0", top.get("pendingNamespaces"));
        assertTrue(status.out().contains("\"foundup_ready\" : 1"), status.out());
        assertTrue(status.out().contains("\"name\" : \"agents_errors\",\n    \"rows\" : 1"), status.out());
        assertTrue(status.out().endsWith("}\n"), "JSON ends with a newline: " + status.out());

        Run text = runWithUrl("status", "--tables");
        assertEquals(0, text.exitCode(), text.err());
        assertTrue(text.out().contains("foundups_fu_a_users"), text.out());
        assertTrue(text.out().contains("no template changes pending"), text.out());
        assertTrue(text.out().endsWith("\n"), "text ends with a newline: " + text.out());
    }

    @Test
    void migrateListsFailuresAndExitsNonZero() {
        assertEquals(0, runWithUrl("init").exitCode());
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.foundUp("fu_ok");
            db.foundUp("fu_bad");
            // Make fu_bad look as if its template were never applied: re-running it fails on existing tables.
            db.dsl().execute("UPDATE foundupsdb_namespaces SET template_version = 0 WHERE name = 'fu_bad'");
        }
        Run migrate = runWithUrl("migrate");
        assertEquals(1, migrate.exitCode(), migrate.out() + migrate.err());
        assertTrue(migrate.out().contains("1 pending, 0 migrated, 1 failed"), migrate.out());
        assertTrue(migrate.out().contains("failed: foundup:fu_bad"), migrate.out());
        assertTrue(migrate.err().contains("  foundup:fu_bad: "), migrate.err());
        assertTrue(migrate.err().contains("run 'foundups-db migrate' again"), migrate.err());
    }

    @Test
    void backupThenRestoreRoundTrips() {
        assertEquals(0, runWithUrl("init").exitCode());
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.foundUp("saved").addUser("u1", "before the backup");
        }
        Path backup = dir.resolve("backup.bin");
        Run save = runWithUrl("backup", backup.toString());
        assertEquals(0, save.exitCode(), save.err());
        assertTrue(save.out().startsWith("backed up "), save.out());
        assertTrue(Files.exists(backup));
        Run again = runWithUrl("backup", backup.toString());
        assertEquals(1, again.exitCode(), "an existing backup is never overwritten: " + again.err());

        // Restore into a fresh, empty database and read the row back through the typed API.
        String target = backend.newDatabaseUrl(dir.resolve("restored"));
        Run restore = run("--url", target, "restore", backup.toString());
        assertEquals(0, restore.exitCode(), restore.err());
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(target).open()) {
            assertEquals("before the backup", db.foundUp("saved").user("u1").orElseThrow().getUsername());
        }
    }

    @Test
    void importLegacyReportsPerTableAndIsIdempotent() throws Exception {
        assertEquals(0, runWithUrl("init").exitCode());
        Path legacy = dir.resolve("old_rules.db");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + legacy); var st = c.createStatement()) {
            st.execute("CREATE TABLE cooldowns (user_id TEXT PRIMARY KEY, until TEXT)");
            st.execute("INSERT INTO cooldowns VALUES ('u1', '2024-01-01'), ('u2', '2024-01-02')");
        }
        Path memory = dir.resolve("patterns.jsonl");
        Files.writeString(memory, "{\"agent_id\": \"a1\", \"p\": 1}\n{\"p\": 2}\n");

        Run first = runWithUrl("import-legacy", legacy.toString(), memory.toString(), "--agent", "legacy");
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.out().contains(legacy + " -> module:old_rules: 2 row(s)"), first.out());
        assertTrue(first.out().contains("modules_old_rules_cooldowns"), first.out());
        assertTrue(first.out().contains(memory + " -> agents_memory: 2 row(s)"), first.out());

        Run second = runWithUrl("import-legacy", legacy.toString(), memory.toString(), "--agent", "legacy");
        assertEquals(0, second.exitCode(), second.err());
        assertTrue(second.out().contains("imported before into module:old_rules, nothing added"), second.out());

        Path broken = dir.resolve("broken.jsonl");
        Files.writeString(broken, "{\"agent_id\": \"a\"}\n{oops\n");
        Run bad = runWithUrl("import-legacy", broken.toString());
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().startsWith("foundups-db: " + broken + ", line 2: not valid JSON"), bad.err());
    }

    @Test
    void demoRunsTheProtocolExamples() {
        Run demo = runWithUrl("demo");
        assertEquals(0, demo.exitCode(), demo.err());
        assertTrue(demo.out().contains("modules_chat_rules_timeouts (1 row)"), demo.out());
        assertTrue(demo.out().contains("|user123|StreamViewer|"), demo.out());
    }

    @Test
    void errorsAreOneLineWithoutAStackTraceUnlessVerbose() {
        Run bad = run("--url", "mysql://u:secret@h/d", "status");
        assertEquals(2, bad.exitCode());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().startsWith("foundups-db: --url 'mysql://u:****@h/d' is not a supported database URL"),
                bad.err());
        Run verbose = run("--url", "mysql://u:secret@h/d", "status", "--verbose");
        assertTrue(verbose.err().contains("\tat dev.foundups.db"), verbose.err());
        assertFalse(verbose.err().contains("secret"));

        Run badName = runWithUrl("namespace", "create", "foundup", "Bad-Name");
        assertEquals(2, badName.exitCode());
        assertTrue(badName.err().contains("is not valid: use 1 to 37 lower-case letters"), badName.err());

        Run usage = run("namespace", "create", "planet", "x");
        assertEquals(2, usage.exitCode());
        assertTrue(usage.err().contains("Invalid value for positional parameter at index 0 (KIND)"), usage.err());
    }

    private static List<Map<String, String>> objects(String json) {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            List<Map<String, String>> rows = new java.util.ArrayList<>();
            Map<String, String> current = null;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.START_OBJECT) {
                    current = new HashMap<>();
                } else if (t == JsonToken.END_OBJECT) {
                    rows.add(current);
                } else if (t.isScalarValue()) {
                    current.put(p.currentName(), p.getText());
                }
            }
            return rows;
        } catch (java.io.IOException e) {
            throw new AssertionError(json, e);
        }
    }

    private static Map<String, String> topLevel(String json) {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            Map<String, String> values = new HashMap<>();
            p.nextToken();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value.isScalarValue()) {
                    values.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
            return values;
        } catch (java.io.IOException e) {
            throw new AssertionError(json, e);
        }
    }
}
