package dev.foundups.db.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/**
 * The sharding rules for templates: what a module author sees when a template breaks one, that a good template and
 * the shipped ones pass, and that a build which never shards can turn the check off.
 */
class ShardingLintTest {

    private static final Path TEMPLATES = Path.of("src/test/resources/templates").toAbsolutePath();
    private static final Path OUTSIDE = Path.of("src/test/resources/lint/outside").toAbsolutePath();

    @Test
    void aTableWithoutPrimaryKeyFailsTheBuildNamingFileTableRuleAndFix() {
        try (LiquibasePostgresDatabase database = templateFolder("nopk", null)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, database::start);
            String m = e.getMessage();
            assertContains(m, "module template 'inventory' (inventory) breaks the sharding rules (1 problem):");
            assertContains(m, "inventory/001-items.xml, changeset 002-movements: table inventory_movements "
                    + "(${table.prefix}movements) has no primary key [rule: every table has a primary key]");
            assertContains(m, "UPDATE and DELETE on a table without one fail");
            assertContains(m, "<addPrimaryKey dbms=\"postgresql\" tableName=\"${table.prefix}movements\"");
            assertContains(m, "shardingLint=false");
            // The table with a key is not mentioned.
            assertFalse(m.contains("inventory_items"), m);
        }
    }

    @Test
    void thirtyTwoBitKeysAndSequencesFailTheBuild() {
        try (LiquibasePostgresDatabase database = templateFolder("intkeys", null)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, database::start);
            String m = e.getMessage();
            assertContains(m, "(2 problems):");
            assertContains(m, "inventory/001-items.xml, changeset 001-items: column inventory_items.id "
                    + "(${table.prefix}items.id) is integer (primary key");
            assertContains(m, "[rule: integer keys and generated ids are 64-bit]");
            assertContains(m, "declare it as ${id.type} (BIGINT on PostgreSQL)");
            assertContains(m, "<modifyDataType dbms=\"postgresql\" tableName=\"${table.prefix}items\" "
                    + "columnName=\"id\" newDataType=\"BIGINT\"/>");
            assertContains(m, "inventory/001-items.xml, changeset 002-tickets: sequence inventory_ticket_seq "
                    + "(${table.prefix}ticket_seq) is integer");
            assertContains(m, "ALTER SEQUENCE ${table.prefix}ticket_seq AS bigint");
            // A plain count may be 32-bit; the id's own sequence is reported with its column, not twice.
            assertFalse(m.contains("quantity"), m);
            assertFalse(m.contains("items_id_seq"), m);
        }
    }

    @Test
    void aForeignKeyOutOfTheTemplateFailsTheBuild() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {OUTSIDE.toUri().toURL()},
                ShardingLintTest.class.getClassLoader())) {
            ShardingLint lint = new ShardingLint(ShardingLint.Mode.FAIL);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ScratchPostgres.start(Changelogs.fromClassPath(loader), lint).close());
            String m = e.getMessage();
            assertContains(m, "module template 'notes' breaks the sharding rules (1 problem):");
            // Made by <sql>: the file is the one that created the table.
            assertContains(m, "db/foundups/templates/modules/notes/001-notes.xml, changeset 001-notes: foreign key "
                    + "notes_notes_agent_fk of table notes_notes (${table.prefix}notes) references agents_awakening, "
                    + "which is not a table of this template (FOREIGN KEY (agent_id) REFERENCES "
                    + "agents_awakening(agent_id))");
            assertContains(m, "[rule: foreign keys stay inside the namespace]");
            assertContains(m, "<dropForeignKeyConstraint dbms=\"postgresql\" baseTableName=\"${table.prefix}notes\" "
                    + "constraintName=\"${table.prefix}notes_agent_fk\"/>");
        }
    }

    @Test
    void aTemplateThatFollowsTheRulesPasses() throws Exception {
        try (LiquibasePostgresDatabase database = templateFolder("good", null)) {
            assertNotNull(database.start());
            try (Statement s = database.start().createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM inventory_items")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
            }
        }
    }

    @Test
    void theFixesTheMessagesProposeMakeAnAppliedTemplatePass() throws Exception {
        // 001 broke every rule and stays as it was; 002 adds the fixes the messages above propose.
        try (LiquibasePostgresDatabase database = templateFolder("fixed", null);
                Statement s = database.start().createStatement();
                ResultSet rs = s.executeQuery("SELECT format_type(seqtypid, NULL) FROM pg_sequence "
                        + "WHERE seqrelid = 'inventory_items_id_seq'::regclass")) {
            // The identity's own sequence follows its column to bigint.
            assertTrue(rs.next());
            assertEquals("bigint", rs.getString(1));
        }
    }

    @Test
    void theShippedTemplatesPass() {
        // The FoundUp template and chat_rules, after the shared changelog: what core's build generates from.
        ShardingLint lint = new ShardingLint(ShardingLint.Mode.FAIL);
        ScratchPostgres.start(Changelogs.fromClassPath(ShardingLintTest.class.getClassLoader()), lint).close();
    }

    @Test
    void warnLogsAndGoesOnAndFalseSkipsTheRules() {
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (LiquibasePostgresDatabase database = templateFolder("nopk", "warn")) {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
            assertNotNull(database.start());
        } finally {
            System.setErr(err);
        }
        String logged = log.toString(StandardCharsets.UTF_8);
        assertContains(logged, "table inventory_movements (${table.prefix}movements) has no primary key");
        assertContains(logged, "(shardingLint=warn)");
        try (LiquibasePostgresDatabase database = templateFolder("intkeys", "false")) {
            assertNotNull(database.start());
        }
    }

    @Test
    void aTableCreatedBySqlWithoutThePrefixFailsEvenWithTheLintOff() {
        try (LiquibasePostgresDatabase database = templateFolder("sqlunprefixed", "false")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, database::start);
            String m = e.getMessage();
            assertContains(m, "module template 'inventory' (inventory) breaks the naming rule (1 problem):");
            assertContains(m, "shared_counters was created without the prefix [rule: every name starts with "
                    + "${table.prefix}]: every namespace of the template would share it");
            assertFalse(m.contains("shardingLint"), m);
        }
    }

    @Test
    void aBadShardingLintValueIsRefusedNamingTheProperty() {
        try (LiquibasePostgresDatabase database = templateFolder("good", "yes")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, database::start);
            assertEquals("shardingLint must be true (the default: a template that breaks a sharding rule fails the "
                    + "build), warn (log it) or false (do not check), not 'yes'", e.getMessage());
            assertNull(database.getConnection());
        }
    }

    private static LiquibasePostgresDatabase templateFolder(String root, String shardingLint) {
        LiquibasePostgresDatabase database = new LiquibasePostgresDatabase();
        database.setBasedir(TEMPLATES.resolve(root).toString());
        database.setProperties(new Properties());
        database.getProperties().setProperty(LiquibasePostgresDatabase.TEMPLATE_FOLDER, "inventory");
        if (shardingLint != null) {
            database.getProperties().setProperty(LiquibasePostgresDatabase.SHARDING_LINT, shardingLint);
        }
        return database;
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), () -> "expected '" + expected + "' in: " + message);
    }
}
