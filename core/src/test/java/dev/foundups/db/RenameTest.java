package dev.foundups.db;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;
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
import dev.foundups.db.jooq.tables.records.FoundupContentRecord;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.TemplateOverlay;

/** Renaming a FoundUp: everything moves in one transaction, or nothing does. */
@ParameterizedClass
@EnumSource(Backend.class)
class RenameTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    @Test
    void rowsIndexesSequencesAndHistoryMoveAndTheOldIdIsFree() {
        try (FoundupsDb db = backend.open(dir)) {
            FoundUp old = db.foundUp("old_name");
            old.addUser("u1", "first");
            old.addContent("u1", "one", (String) null);
            old.addContent("u1", "two", "{\"n\":2}");
            long third = old.addContent("u1", "three", (String) null);
            old.dsl().execute("DELETE FROM foundups_old_name_content WHERE id = " + third);
            NamespaceInfo before = db.catalog().find(NamespaceKind.FOUNDUP, "old_name").orElseThrow();
            if (backend == Backend.SQLITE) {
                // Trigger names are global in an SQLite file too: one of the namespace's moves along.
                db.dsl().execute("CREATE TRIGGER foundups_old_name_users_touch AFTER INSERT ON foundups_old_name_users "
                        + "BEGIN UPDATE foundups_old_name_users SET username = 'touched' WHERE id = NEW.id; END");
            }

            NamespaceInfo renamed = db.catalog().renameFoundUp("old_name", "new_name");

            assertEquals("new_name", renamed.name());
            assertEquals("foundups_new_name_", renamed.tablePrefix());
            assertEquals(before.createdAt(), renamed.createdAt(), "history is kept");
            assertEquals(before.templateVersion(), renamed.templateVersion());
            assertEquals(renamed, db.catalog().find(NamespaceKind.FOUNDUP, "new_name").orElseThrow());
            assertTrue(db.catalog().find(NamespaceKind.FOUNDUP, "old_name").isEmpty());

            // The rows, through the typed API under the new id; ids go on from where they were.
            FoundUp moved = db.foundUp("new_name");
            assertEquals("first", moved.user("u1").orElseThrow().getUsername());
            assertEquals(List.of("one", "two"),
                    moved.content("u1").stream().map(FoundupContentRecord::getContent).sorted().toList());
            assertEquals(third + 1, moved.addContent("u1", "four", (String) null), "the id sequence moved along");

            List<String> names = objectNames(db);
            assertTrue(names.stream().noneMatch(n -> n.startsWith("foundups_old_name_")), names.toString());
            for (String expected : List.of("foundups_new_name_users", "foundups_new_name_content",
                    "foundups_new_name_content_user_idx")) {
                assertTrue(names.contains(expected), expected + " in " + names);
            }
            if (backend == Backend.SQLITE) {
                assertTrue(names.contains("foundups_new_name_users_touch"), names.toString());
                moved.addUser("u2", "plain");
                assertEquals("touched", moved.user("u2").orElseThrow().getUsername(), "the trigger still fires");
            } else {
                for (String expected : List.of("foundups_new_name_users_pkey", "foundups_new_name_content_pkey",
                        "foundups_new_name_content_user_fk", "foundups_new_name_content_id_seq")) {
                    assertTrue(names.contains(expected), expected + " in " + names);
                }
            }

            // The old id is free: a new, empty FoundUp with fresh ids (no leftover index or sequence in the way).
            FoundUp reborn = db.foundUp("old_name");
            assertTrue(reborn.users().isEmpty(), "this process's cached context of the old id was evicted");
            reborn.addUser("u1", "again");
            assertEquals(1, reborn.addContent("u1", "fresh", (String) null));
            assertEquals("first", moved.user("u1").orElseThrow().getUsername(), "the renamed one is untouched");
            // The foreign key follows the renamed table: a content row needs a user of its own FoundUp.
            assertThrows(RuntimeException.class, () -> moved.addContent("nobody", "x", (String) null));
        }
    }

    @Test
    void aFoundUpWhoseIdExtendsTheOldOneIsNotTouched() {
        // foundups_ab_ is a prefix of foundups_ab_c_*: only ab's own objects may move.
        try (FoundupsDb db = backend.open(dir)) {
            db.foundUp("ab").addUser("u", "of ab");
            db.foundUp("ab_c").addUser("u", "of ab_c");
            db.foundUp("ab_c").addContent("u", "kept", (String) null);
            List<String> abc = objectNames(db).stream().filter(n -> n.startsWith("foundups_ab_c_")).toList();

            db.catalog().renameFoundUp("ab", "ab_d"); // the new prefix starts with the old one, too

            List<String> names = objectNames(db);
            assertTrue(names.containsAll(abc), abc + " in " + names);
            assertTrue(names.stream().noneMatch(n -> n.startsWith("foundups_ab_d_d_")), names.toString());
            assertEquals("of ab_c", db.foundUp("ab_c").user("u").orElseThrow().getUsername());
            assertEquals(1, db.foundUp("ab_c").content("u").size());
            assertEquals("of ab", db.foundUp("ab_d").user("u").orElseThrow().getUsername());
            assertTrue(names.contains("foundups_ab_d_content_user_idx"), names.toString());

            db.catalog().renameFoundUp("ab_d", "ab"); // and back
            assertEquals("of ab", db.foundUp("ab").user("u").orElseThrow().getUsername());
            assertEquals(objectNames(db).stream().filter(n -> n.startsWith("foundups_ab_c_")).toList(), abc);
        }
    }

    @Test
    void refusalsSayWhyAndChangeNothing() {
        try (FoundupsDb db = backend.open(dir)) {
            NamespaceCatalog catalog = db.catalog();
            db.foundUp("source").addUser("u", "stays");
            db.foundUp("taken");
            db.foundUp("gone");
            catalog.drop(NamespaceKind.FOUNDUP, "gone");
            List<NamespaceInfo> before = catalog.list();
            List<String> objects = objectNames(db);

            assertRefused(ErrorCode.INVALID_INPUT, "there is no FoundUp id 'nope' to rename",
                    () -> catalog.renameFoundUp("nope", "x"));
            assertRefused(ErrorCode.INVALID_INPUT, "there is no FoundUp id 'gone' to rename",
                    () -> catalog.renameFoundUp("gone", "x"));
            assertRefused(ErrorCode.INVALID_NAME, "FoundUp id 'Bad-Name' is not valid: use 1 to 37 lower-case letters "
                    + "(a-z), digits and underscores, starting with a letter, for example 'youtube_bot'",
                    () -> catalog.renameFoundUp("source", "Bad-Name"));
            assertRefused(ErrorCode.INVALID_NAME, null, () -> catalog.renameFoundUp("source", "a".repeat(38)));
            assertRefused(ErrorCode.INVALID_INPUT, "FoundUp id 'source' cannot be renamed to itself",
                    () -> catalog.renameFoundUp("source", "source"));
            assertRefused(ErrorCode.NAME_CONFLICT, "FoundUp id 'source' cannot be renamed to 'taken': FoundUp id "
                    + "'taken' exists already. Choose another name, or drop 'taken' first",
                    () -> catalog.renameFoundUp("source", "taken"));

            db.dsl().update(FOUNDUPSDB_NAMESPACES).set(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION, 0)
                    .where(FOUNDUPSDB_NAMESPACES.NAME.eq("source")).execute();
            assertRefused(ErrorCode.MIGRATION, "FoundUp id 'source' cannot be renamed while it is at version 0 of its "
                    + "template (current: 1): run the migration first ('foundups-db migrate' or "
                    + "NamespaceCatalog.migrate()), then rename", () -> catalog.renameFoundUp("source", "x"));
            db.dsl().update(FOUNDUPSDB_NAMESPACES).set(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION, 1)
                    .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceState.FAILED.catalogValue())
                    .where(FOUNDUPSDB_NAMESPACES.NAME.eq("source")).execute();
            assertRefused(ErrorCode.MIGRATION, "FoundUp id 'source' cannot be renamed while it is failed and at "
                    + "version 1 of its template (current: 1): run the migration first ('foundups-db migrate' or "
                    + "NamespaceCatalog.migrate()), then rename", () -> catalog.renameFoundUp("source", "x"));
            db.dsl().update(FOUNDUPSDB_NAMESPACES)
                    .set(FOUNDUPSDB_NAMESPACES.STATE, NamespaceState.READY.catalogValue())
                    .where(FOUNDUPSDB_NAMESPACES.NAME.eq("source")).execute();

            assertEquals(names(before), names(catalog.list()));
            assertEquals(objects, objectNames(db));
            assertEquals("stays", db.foundUp("source").user("u").orElseThrow().getUsername());

            // A dropped FoundUp's id can be taken: its catalog row is replaced, not duplicated.
            catalog.renameFoundUp("source", "gone");
            assertEquals(List.of("gone", "taken"), names(catalog.list()));
            assertEquals(NamespaceState.READY, catalog.find(NamespaceKind.FOUNDUP, "gone").orElseThrow().state());
            assertEquals("stays", db.foundUp("gone").user("u").orElseThrow().getUsername());
        }
    }

    @Test
    void aFailureHalfWayRollsEverythingBack() {
        try (FoundupsDb db = backend.open(dir)) {
            FoundUp source = db.foundUp("source");
            source.addUser("u", "stays");
            source.addContent("u", "c", (String) null);
            NamespaceInfo before = db.catalog().find(NamespaceKind.FOUNDUP, "source").orElseThrow();
            List<String> objects = objectNames(db);

            // The second table's new name is taken out-of-band: the first table was renamed when it fails.
            db.dsl().execute("CREATE TABLE foundups_target_content (x INTEGER)");
            FoundupsDbException tableTaken = assertThrows(FoundupsDbException.class,
                    () -> db.catalog().renameFoundUp("source", "target"));
            assertEquals(ErrorCode.NAME_CONFLICT, tableTaken.errorCode());
            assertEquals("FoundUp id 'source' cannot be renamed to 'target': the name foundups_target_content (for "
                    + "its table foundups_source_content) is taken. Nothing was changed; choose another name",
                    tableTaken.getMessage());
            assertUnchanged(db, before, objects, "foundups_target_content");
            db.dsl().execute("DROP TABLE foundups_target_content");

            // Now an index's new name: both tables were renamed when it fails.
            db.dsl().execute("CREATE TABLE foundups_target_content_user_idx (x INTEGER)");
            FoundupsDbException indexTaken = assertThrows(FoundupsDbException.class,
                    () -> db.catalog().renameFoundUp("source", "target"));
            assertEquals(ErrorCode.NAME_CONFLICT, indexTaken.errorCode());
            assertTrue(indexTaken.getMessage().contains("the name foundups_target_content_user_idx (for its index "
                    + "foundups_source_content_user_idx) is taken"), indexTaken.getMessage());
            assertUnchanged(db, before, objects, "foundups_target_content_user_idx");
            db.dsl().execute("DROP TABLE foundups_target_content_user_idx");

            db.catalog().renameFoundUp("source", "target");
            assertEquals("stays", db.foundUp("target").user("u").orElseThrow().getUsername());
        }
    }

    @Test
    void aNewIdWhoseTablesWouldMeetAnotherFoundUpsIsRefusedNamingIt() {
        // With a template table b_users, FoundUp 'a' owns foundups_a_b_users, which FoundUp 'a_b' would need.
        TemplateOverlay overlay = new TemplateOverlay(dir.resolve("overlay")).changelog(
                "db/foundups/templates/foundup/002-b-users.xml", """
                        <changeSet id="002-b-users" author="test">
                          <createTable tableName="${table.prefix}b_users">
                            <column name="id" type="TEXT"/>
                          </createTable>
                        </changeSet>""");
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(backend.newDatabaseUrl(dir))
                .classLoader(overlay.classLoader()).open()) {
            db.foundUp("a");
            db.foundUp("x").addUser("u", "stays");
            FoundupsDbException e = assertThrows(FoundupsDbException.class,
                    () -> db.catalog().renameFoundUp("x", "a_b"));
            assertEquals(ErrorCode.NAME_CONFLICT, e.errorCode());
            assertEquals("FoundUp id 'x' cannot be renamed to 'a_b': the name foundups_a_b_users (for its table "
                    + "foundups_x_users) is taken and belongs to FoundUp id 'a' (its table b_users). Nothing was "
                    + "changed; choose another name", e.getMessage());
            assertEquals("stays", db.foundUp("x").user("u").orElseThrow().getUsername());
        }
    }

    private void assertUnchanged(FoundupsDb db, NamespaceInfo before, List<String> objects, String outOfBand) {
        assertEquals(before, db.catalog().find(NamespaceKind.FOUNDUP, "source").orElseThrow());
        assertTrue(db.catalog().find(NamespaceKind.FOUNDUP, "target").isEmpty());
        List<String> now = objectNames(db);
        now.remove(outOfBand);
        assertEquals(objects, now);
        assertEquals("stays", db.foundUp("source").user("u").orElseThrow().getUsername());
        assertEquals(1, db.foundUp("source").content("u").size());
    }

    private static void assertRefused(ErrorCode code, String message, Runnable call) {
        FoundupsDbException e = assertThrows(FoundupsDbException.class, call::run);
        assertEquals(code, e.errorCode(), e.getMessage());
        if (message != null) {
            assertEquals(message, e.getMessage());
        }
    }

    private static List<String> names(List<NamespaceInfo> namespaces) {
        return namespaces.stream().map(NamespaceInfo::name).sorted().toList();
    }

    /** Every table, index, sequence and (on PostgreSQL) constraint name, sorted. */
    private List<String> objectNames(FoundupsDb db) {
        String sql = backend == Backend.SQLITE
                ? "SELECT name FROM sqlite_master"
                : "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace UNION ALL "
                        + "SELECT conname FROM pg_constraint WHERE connamespace = current_schema()::regnamespace";
        return new java.util.ArrayList<>(db.dsl().fetch(sql).getValues(0, String.class).stream().sorted().toList());
    }
}
