package dev.foundups.db;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_TEMPLATE_CHANGES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.Tables;

/** Namespace creation, naming, collisions and template evolution; uses the test templates in src/test/resources. */
@ParameterizedClass
@EnumSource(Backend.class)
class NamespacesTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    @Test
    void badNamesAreRefusedWithTheRuleAndCreateNothing() {
        try (FoundupsDb db = backend.open(dir)) {
            for (String bad : new String[] {"YouTube", "1bot", "_bot", "bot-1", "bot bot", "", "bot;drop",
                    "a".repeat(38)}) {
                FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> db.foundUp(bad), bad);
                assertEquals(ErrorCode.INVALID_NAME, e.errorCode());
                assertEquals("FoundUp id '" + bad + "' is not valid: use 1 to 37 lower-case letters (a-z), digits "
                        + "and underscores, starting with a letter, for example 'youtube_bot'", e.getMessage());
            }
            assertThrows(FoundupsDbException.class, () -> db.foundUp(null));
            assertTrue(db.namespaces().isEmpty());
            // The longest allowed id still fits PostgreSQL's 63-byte limit in every table and index name.
            String longest = "a".repeat(37);
            db.foundUp(longest).addUser("u", "fits");
            assertEquals("fits", db.foundUp(longest).user("u").orElseThrow().getUsername());
            assertTrue(Tables.names(db).contains("foundups_" + longest + "_content"));
        }
    }

    @Test
    void twoNamesThatWouldShareATableCannotBothExist() {
        // Module "clash" has table b_log, module "clash_b" has table log: both would be modules_clash_b_log.
        try (FoundupsDb db = backend.open(dir)) {
            db.module("clash");
            FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> db.module("clash_b"));
            assertEquals(ErrorCode.NAME_CONFLICT, e.errorCode());
            assertEquals("module name 'clash_b' cannot be created: its table modules_clash_b_log already exists and "
                    + "belongs to module name 'clash' (its table b_log). Choose another name", e.getMessage());
            assertEquals(List.of("clash"), db.namespaces().stream().map(NamespaceInfo::name).toList());
        }
    }

    @Test
    void theOtherOrderIsRefusedToo() {
        try (FoundupsDb db = backend.open(dir)) {
            db.module("clash_b");
            FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> db.module("clash"));
            assertEquals(ErrorCode.NAME_CONFLICT, e.errorCode());
            assertTrue(e.getMessage().contains("belongs to module name 'clash_b' (its table log)"), e.getMessage());
        }
    }

    @Test
    void aTemplateWithAnUnprefixedIndexIsRejected() {
        try (FoundupsDb db = backend.open(dir)) {
            FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> db.module("bad_index"));
            assertEquals(ErrorCode.MIGRATION, e.errorCode());
            assertTrue(e.getMessage().contains("indexName 'items_id_idx' must start with ${table.prefix}"),
                    e.getMessage());
            assertFalse(Tables.names(db).contains("modules_bad_index_items"));
        }
    }

    @Test
    void aNamespaceThatFailsHalfWayLeavesNothingBehind() {
        try (FoundupsDb db = backend.open(dir)) {
            assertThrows(RuntimeException.class, () -> db.module("broken"));
            assertFalse(Tables.names(db).contains("modules_broken_first"), "the first table was rolled back");
            assertTrue(db.namespaces().isEmpty(), "no catalog row");
            // And a retry fails the same way instead of tripping over leftovers.
            assertThrows(RuntimeException.class, () -> db.module("broken"));
        }
    }

    @Test
    void theCatalogRecordsEachNamespaceAndItsAppliedChanges() {
        try (FoundupsDb db = backend.open(dir)) {
            db.foundUp("youtube_bot");
            db.module("chat_rules");
            List<NamespaceInfo> all = db.namespaces();
            assertEquals(List.of(NamespaceKind.FOUNDUP, NamespaceKind.MODULE),
                    all.stream().map(NamespaceInfo::kind).toList());
            NamespaceInfo bot = all.get(0);
            assertEquals("youtube_bot", bot.name());
            assertEquals("foundup", bot.template());
            assertEquals("foundups_youtube_bot_", bot.tablePrefix());
            assertEquals(1, bot.templateVersion());
            assertTrue(bot.createdAt() != null);
            // The applied changes: the template's first templateVersion changesets, recorded once per template.
            assertEquals(List.of("db/foundups/templates/foundup/001-users-and-content.xml::001-users-and-content"
                            + "::foundups-db"),
                    db.dsl().select(FOUNDUPSDB_TEMPLATE_CHANGES.CHANGESET).from(FOUNDUPSDB_TEMPLATE_CHANGES)
                            .where(FOUNDUPSDB_TEMPLATE_CHANGES.TEMPLATE.eq("foundup"))
                            .orderBy(FOUNDUPSDB_TEMPLATE_CHANGES.SEQ).fetch(r -> r.value1()));
        }
    }

    @Test
    void reopeningKeepsDataAndNamespaces() {
        String url = backend.newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.foundUp("youtube_bot").addUser("user123", "StreamViewer");
            db.agents().recordError("h", "KeyError", "{}");
        }
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            assertEquals(0, db.openingMigration().orElseThrow().migrated());
            assertEquals(1, db.openingMigration().orElseThrow().checked());
            assertEquals("StreamViewer", db.foundUp("youtube_bot").user("user123").orElseThrow().getUsername());
            assertEquals(2, db.agents().recordError("h", "KeyError", "{}"));
        }
    }

    @Test
    void aChangesetAddedToATemplateIsAppliedToExistingNamespacesOnOpen() {
        String url = backend.newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.module("evolving");
            // Turn the namespace back into one made before 002 existed: drop its column, set its version back.
            db.dsl().execute("ALTER TABLE modules_evolving_items DROP COLUMN note");
            db.dsl().update(FOUNDUPSDB_NAMESPACES).set(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION, 1)
                    .where(FOUNDUPSDB_NAMESPACES.NAME.eq("evolving")).execute();
        }
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            assertEquals(1, db.openingMigration().orElseThrow().migrated());
            assertTrue(db.openingMigration().orElseThrow().failed().isEmpty());
            db.module("evolving").dsl().execute("INSERT INTO modules_evolving_items (id) VALUES ('x')");
            assertEquals("none", db.dsl().fetchValue("SELECT note FROM modules_evolving_items WHERE id = 'x'"),
                    "the new column exists, with its default");
            assertEquals(2, db.namespaces().get(0).templateVersion());
        }
    }

    @Test
    void anEditedChangesetStopsTheOpenWithAClearMessage() {
        String url = backend.newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.foundUp("youtube_bot");
            db.dsl().update(FOUNDUPSDB_TEMPLATE_CHANGES).set(FOUNDUPSDB_TEMPLATE_CHANGES.CHECKSUM, "9:0000")
                    .execute();
        }
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> FoundupsDb.configure().databaseUrl(url).open());
        assertEquals(ErrorCode.MIGRATION, e.errorCode());
        assertTrue(e.getMessage().contains("Applied changesets must not change"), e.getMessage());
    }
}
