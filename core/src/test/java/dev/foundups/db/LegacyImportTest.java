package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.jooq.tables.records.AgentsMemoryRecord;
import dev.foundups.db.modules.chatrules.ChatRules;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.Tables;

/** The protocol's migrate_to_unified: legacy module databases and agent memory files. */
@ParameterizedClass
@EnumSource(Backend.class)
class LegacyImportTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    FoundupsDb db;

    @BeforeEach
    void open() {
        db = backend.open(dir.resolve("target"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** A chat_rules.db as the module kept it before the unified database. */
    Path legacyChatRules() throws Exception {
        Path file = dir.resolve("chat_rules.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE moderators (user_id TEXT PRIMARY KEY, display_name TEXT, level TEXT)");
            st.execute("CREATE TABLE timeout_history (id INTEGER PRIMARY KEY AUTOINCREMENT, mod_id TEXT, "
                    + "target TEXT, duration INTEGER, ts DATETIME DEFAULT CURRENT_TIMESTAMP)");
            st.execute("CREATE TABLE timeout_stats (mod_id TEXT, total INTEGER, ratio REAL)");
            st.execute("INSERT INTO moderators VALUES ('m1', 'Mod One', 'ROOKIE'), ('m2', 'Mod Two', 'PRO')");
            for (int i = 0; i < 1500; i++) {
                st.execute("INSERT INTO timeout_history (mod_id, target, duration, ts) VALUES ('m1', 'troll" + i
                        + "', 60, '2024-01-01 10:00:00')");
            }
            st.execute("INSERT INTO timeout_stats VALUES ('m1', 1500, 0.5)");
        }
        return file;
    }

    @Test
    void aModuleDatabaseIsImportedTableByTableOnce() throws Exception {
        Path file = legacyChatRules();
        ImportReport report = db.importLegacyDatabase(file, "chat_legacy");
        assertFalse(report.alreadyImported());
        assertEquals("module:chat_legacy", report.target());
        assertEquals(Map.of("modules_chat_legacy_moderators", 2L, "modules_chat_legacy_timeout_history", 1500L,
                "modules_chat_legacy_timeout_stats", 1L), report.rows());
        assertEquals(1500, ((Number) db.dsl().fetchValue(
                "SELECT COUNT(*) FROM modules_chat_legacy_timeout_history WHERE duration = 60")).intValue());
        assertEquals("Mod Two", db.dsl().fetchValue(
                "SELECT display_name FROM modules_chat_legacy_moderators WHERE user_id = 'm2'"));
        assertEquals(0.5, ((Number) db.dsl().fetchValue("SELECT ratio FROM modules_chat_legacy_timeout_stats"))
                .doubleValue());
        assertEquals("2024-01-01 10:00:00", db.dsl().fetchValue(
                "SELECT ts FROM modules_chat_legacy_timeout_history WHERE target = 'troll7'"));
        assertTrue(db.catalog().find(NamespaceKind.MODULE, "chat_legacy").isPresent(), "registered in the catalog");

        ImportReport again = db.importLegacyDatabase(file, "chat_legacy");
        assertTrue(again.alreadyImported());
        assertEquals(1500, ((Number) db.dsl().fetchValue(
                "SELECT COUNT(*) FROM modules_chat_legacy_timeout_history")).intValue(), "nothing added twice");
        db.catalog().migrate(); // an imported module has no template: migrating leaves it alone
    }

    @Test
    void aTableThatClashesWithTheModulesOwnIsRefusedAndNothingIsWritten() throws Exception {
        ChatRules.of(db); // the chat_rules template's moderators has other columns
        Path file = legacyChatRules();
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> db.importLegacyDatabase(file, null));
        assertEquals(ErrorCode.INVALID_INPUT, e.errorCode());
        assertTrue(e.getMessage().contains("table 'moderators': module 'chat_rules' already has a table "
                + "modules_chat_rules_moderators with other columns"), e.getMessage());
        assertTrue(e.getMessage().contains("--module NAME"), e.getMessage());
        assertFalse(Tables.names(db).contains("modules_chat_rules_timeout_history"), "nothing of it was written");
        // and under another name it goes in
        assertEquals(1503, db.importLegacyDatabase(file, "chat_rules_v1").total());
    }

    @Test
    void aFileThatIsNotADatabaseIsRefused() throws Exception {
        Path file = dir.resolve("notes.db");
        Files.writeString(file, "not a database");
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> db.importLegacyDatabase(file, null));
        assertEquals(file + " is not a SQLite database (its first bytes are not 'SQLite format 3')", e.getMessage());
        assertTrue(db.catalog().list().isEmpty());
    }

    @Test
    void agentMemoryFromJsonLines() throws Exception {
        Path file = dir.resolve("error_patterns.jsonl");
        Files.writeString(file, """
                {"agent_id": "agent1", "pattern": "retry", "tags": ["net"]}

                {"agent_id": "agent2", "pattern_type": "style", "pattern": "short"}
                {"pattern": "no owner"}
                """);
        FoundupsDbException noOwner = assertThrows(FoundupsDbException.class,
                () -> db.importAgentMemory(file, null, null));
        assertEquals(file + ", line 4: the record has no agent_id field; name the owner with --agent NAME",
                noOwner.getMessage());
        assertEquals(0, db.dsl().fetchCount(dev.foundups.db.jooq.Tables.AGENTS_MEMORY));

        ImportReport report = db.importAgentMemory(file, "legacy_agent", null);
        assertEquals(3, report.total());
        List<AgentsMemoryRecord> rows = db.dsl().selectFrom(dev.foundups.db.jooq.Tables.AGENTS_MEMORY)
                .orderBy(dev.foundups.db.jooq.Tables.AGENTS_MEMORY.ID).fetch();
        assertEquals(List.of("agent1", "agent2", "legacy_agent"), rows.stream().map(r -> r.getAgentId()).toList());
        assertEquals(List.of("error_patterns", "style", "error_patterns"),
                rows.stream().map(r -> r.getPatternType()).toList());
        assertEquals("{\"agent_id\":\"agent1\",\"pattern\":\"retry\",\"tags\":[\"net\"]}",
                rows.get(0).getPatternData().data());
        assertTrue(db.importAgentMemory(file, "legacy_agent", null).alreadyImported());
        assertEquals(3, db.dsl().fetchCount(dev.foundups.db.jooq.Tables.AGENTS_MEMORY));
    }

    @Test
    void malformedJsonNamesTheLineAndWritesNothing() throws Exception {
        Path lines = dir.resolve("memory.jsonl");
        Files.writeString(lines, "{\"agent_id\": \"a\"}\n[1, 2]\n");
        FoundupsDbException notObject = assertThrows(FoundupsDbException.class,
                () -> db.importAgentMemory(lines, null, null));
        assertEquals(lines + ", line 2: a JSON Lines record must be an object", notObject.getMessage());

        Path array = dir.resolve("memory.json");
        Files.writeString(array, "[\n  {\"agent_id\": \"a\"},\n  {\"agent_id\": \"b\",,}\n]\n");
        FoundupsDbException broken = assertThrows(FoundupsDbException.class,
                () -> db.importAgentMemory(array, null, "fix"));
        assertTrue(broken.getMessage().startsWith(array + ", line 3: not valid JSON"), broken.getMessage());
        assertEquals(0, db.dsl().fetchCount(dev.foundups.db.jooq.Tables.AGENTS_MEMORY));

        Files.writeString(array, "[{\"agent_id\": \"a\", \"x\": 1}, {\"agent_id\": \"b\"}]");
        assertEquals(2, db.importAgentMemory(array, null, "fix").total());
    }
}
