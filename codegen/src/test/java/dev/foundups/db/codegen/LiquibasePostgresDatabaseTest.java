package dev.foundups.db.codegen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Properties;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The template checks and the failure messages: what a module author sees when a changelog is wrong.
 */
class LiquibasePostgresDatabaseTest {

    private static final Path TEMPLATES = Path.of("src/test/resources/templates").toAbsolutePath();

    @Test
    void aChangelogThatCannotBeAppliedNamesItsFileAndChangeset() {
        try (LiquibasePostgresDatabase database = templateFolder("broken", "inventory")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, database::start);
            assertContains(e.getMessage(), "module template 'inventory'");
            assertContains(e.getMessage(), "inventory/001-items.xml");
            assertContains(e.getMessage(), "002-broken-column");
            assertContains(e.getMessage(), "no_such_type");
            // Liquibase wraps its message twice, each time behind the wrapped exception's class name.
            assertFalse(e.getMessage().contains("MigrationFailedException:"), e.getMessage());
        }
    }

    @Test
    void aTemplateNameWithoutThePrefixIsRefusedWithFileAndChangeset() {
        try (LiquibasePostgresDatabase database = templateFolder("unprefixed", "inventory")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, database::start);
            assertContains(e.getMessage(), "inventory/001-items.xml, changeset 001-items");
            assertContains(e.getMessage(), "indexName 'items_sku_idx' must start with ${table.prefix}");
        }
    }

    @Test
    void aReservedModuleNameIsRefusedBeforeAnythingStarts() {
        try (LiquibasePostgresDatabase database = templateFolder("reserved", "agents")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, database::inputFingerprint);
            assertContains(e.getMessage(), "module template 'agents'");
            assertContains(e.getMessage(), "reserved name");
            assertNull(database.getConnection());
        }
    }

    @Test
    void anInvalidModuleNameIsRefused() {
        try (LiquibasePostgresDatabase database = templateFolder("good", "inventory")) {
            database.getProperties().setProperty(LiquibasePostgresDatabase.MODULE_NAME, "Inventory-2");
            IllegalStateException e = assertThrows(IllegalStateException.class, database::inputFingerprint);
            assertContains(e.getMessage(), "lower-case letters, digits and underscores");
        }
    }

    @Test
    void withoutPropertiesItReadsTheProjectLayoutFromTheClassPath() {
        try (LiquibasePostgresDatabase database = new LiquibasePostgresDatabase()) {
            List<String> lines = database.inputFingerprint();
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("changelog classpath:db/foundups/changelog.xml ")),
                    lines::toString);
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(
                    "changelog classpath:db/foundups/templates/modules/chat_rules/")), lines::toString);
            // Nothing but the schema jar's files: this module's test resources are no templates.
            assertTrue(lines.stream().noneMatch(l -> l.contains("templates/good")), lines::toString);
        }
    }

    @Test
    void configuringItAsJooqDoesStartsNothing() {
        try (LiquibasePostgresDatabase database = templateFolder("broken", "inventory")) {
            // What GenerationTool does before generating: a DSLContext is built, no connection taken.
            database.setConnection(null);
            database.create();
            database.getDialect();
            assertNull(database.getConnection());
        }
    }

    private static LiquibasePostgresDatabase templateFolder(String root, String module) {
        LiquibasePostgresDatabase database = new LiquibasePostgresDatabase();
        database.setBasedir(TEMPLATES.resolve(root).toString());
        database.setProperties(new Properties());
        database.getProperties().setProperty(LiquibasePostgresDatabase.TEMPLATE_FOLDER, module);
        return database;
    }

    private static void assertContains(String message, String expected) {
        assertTrue(message.contains(expected), () -> "expected '" + expected + "' in: " + message);
    }
}
