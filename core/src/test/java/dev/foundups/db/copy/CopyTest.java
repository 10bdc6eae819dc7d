package dev.foundups.db.copy;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static dev.foundups.db.jooq.Tables.AGENTS_ERRORS;
import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;
import static dev.foundups.db.jooq.Tables.CHAT_RULES_MODERATORS;
import static dev.foundups.db.jooq.Tables.CHAT_RULES_TIMEOUTS;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_IMPORTS;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;
import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jooq.DSLContext;
import org.jooq.JSON;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.modules.chatrules.ChatRules;
import dev.foundups.db.testing.Backend;

/**
 * Copying a SQLite FoundUps DB to each backend (embedded PostgreSQL: the move the protocol promises; SQLite: a
 * second file), then reading it back through the typed API as a user of the new database would.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class CopyTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    String source;
    String target;

    @BeforeEach
    void databases() {
        target = backend.newDatabaseUrl(dir.resolve("target"));
    }

    @Test
    void everythingIsCopiedAndReadsBackThroughTheTypedApi() throws Exception {
        source = CopySource.create(dir, 0);
        List<String> copied = new ArrayList<>();
        CopyReport report = DatabaseCopy.from(source).to(target).listener(new CopyListener() {
            @Override
            public void tableCopied(String table, long rows) {
                copied.add(table);
            }
        }).load().run();

        assertTrue(report.verified(), report.mismatches().toString());
        assertTrue(copied.containsAll(List.of("agents_memory", "modules_chat_rules_timeouts",
                "modules_chat_legacy_timeout_history", "modules_chat_legacy_notes", "foundups_youtube_bot_users",
                "foundups_big_ids_content")), copied.toString());
        assertFalse(copied.stream().anyMatch(t -> t.startsWith("foundups_gone_")), "a dropped FoundUp has no tables");
        long catalogRows = report.tables().stream().filter(t -> t.table().equals("foundupsdb_namespaces"))
                .mapToLong(CopyReport.TableResult::sourceRows).sum();
        assertEquals(6, catalogRows, "chat_rules, chat_legacy, youtube_bot, big_ids, many_rows, gone");
        assertEquals(report.sourceRows() - catalogRows, report.rowsCopied(), "all rows but the catalog's");

        try (FoundupsDb from = FoundupsDb.configure().databaseUrl(source).open();
             FoundupsDb to = FoundupsDb.configure().databaseUrl(target).open()) {
            // The catalog entries, times and versions included, are the source's.
            assertEquals(from.catalog().list(), to.catalog().list());
            assertEquals(NamespaceState.DROPPED, to.catalog().find(NamespaceKind.FOUNDUP, "gone").orElseThrow().state());
            assertTrue(to.catalog().pending().isEmpty());

            // Every row, read through the generated classes on both sides: instants, JSON, booleans, ids.
            for (var table : List.of(AGENTS_AWAKENING, AGENTS_MEMORY, AGENTS_ERRORS, FOUNDUPSDB_IMPORTS)) {
                assertEquals(rows(from.dsl(), table), rows(to.dsl(), table), table.getName());
            }
            DSLContext chatFrom = ChatRules.of(from).dsl();
            DSLContext chatTo = ChatRules.of(to).dsl();
            assertEquals(rows(chatFrom, CHAT_RULES_MODERATORS), rows(chatTo, CHAT_RULES_MODERATORS));
            assertEquals(rows(chatFrom, CHAT_RULES_TIMEOUTS), rows(chatTo, CHAT_RULES_TIMEOUTS));
            for (String id : List.of("youtube_bot", "big_ids", "many_rows")) {
                FoundUp a = from.foundUp(id);
                FoundUp b = to.foundUp(id);
                assertEquals(a.users(), b.users(), id);
                assertEquals(a.content(), b.content(), id);
            }
            FoundUp bot = to.foundUp("youtube_bot");
            assertEquals(false, bot.user("lurker").orElseThrow().getActive());
            assertEquals(CopySource.AWKWARD, bot.content().get(1).getContent());
            assertEquals(CopySource.AWKWARD, to.agents().awakening("agent_a").orElseThrow().getLastKoan());
            // As the library stored it (checked and compacted), on both sides.
            assertEquals(JSON.valueOf("{\"pattern\":\"retry\",\"n\":1500.0,\"nested\":{\"list\":[1,2,null,true]},"
                    + "\"text\":\"a\\tb\\\\c\u00e9\"}"), to.agents().patterns("agent_a").get(0).getPatternData());
            assertEquals(2, to.agents().error("h1").orElseThrow().getOccurrences());
            assertEquals(Instant.parse("1999-12-31T23:59:59.999Z"),
                    to.foundUp("big_ids").content().get(0).getCreatedAt());
            assertEquals(CopySource.BIG_ID, to.foundUp("big_ids").content().get(0).getId());

            // The imported module's tables, as the legacy import made them on this dialect.
            var ratio = DSL.field(DSL.name("ratio"), SQLDataType.DOUBLE);
            var avatar = DSL.field(DSL.name("avatar"), SQLDataType.BLOB);
            var duration = DSL.field(DSL.name("duration"), SQLDataType.BIGINT);
            Record legacy = to.dsl().select(ratio, avatar, duration)
                    .from(DSL.table(DSL.name("modules_chat_legacy_timeout_history")))
                    .where(DSL.field(DSL.name("id"), SQLDataType.BIGINT).eq(20L)).fetchSingle();
            assertEquals(19 / 3.0, legacy.get(ratio));
            assertArrayEquals(new byte[] {19, 0, (byte) 0xff, '\\', '\n'}, legacy.get(avatar));
            assertEquals(1L << 39, legacy.get(duration));
            assertEquals(3, to.dsl().fetchCount(DSL.table(DSL.name("modules_chat_legacy_notes"))));

            // Ids go on after the copied ones: no insert collides with a copied row.
            assertEquals(CopySource.BIG_ID + 1, to.foundUp("big_ids").addContent("u", "next", (String) null));
            assertEquals(31, ChatRules.of(to).recordTimeout("m1", "troll", 1));
            assertEquals(3, to.agents().learnPattern("agent_c", "x", "{}"));
            to.foundUp("new_after_copy").addUser("a", "A"); // the catalog takes new namespaces too
        }
    }

    @Test
    void aTargetWithDataIsRefusedUnlessReplaced() throws Exception {
        source = CopySource.create(dir, 0);
        try (FoundupsDb to = FoundupsDb.configure().databaseUrl(target).open()) {
            to.foundUp("already_here").addUser("a", "A");
        }
        FoundupsDbException refused = assertThrows(FoundupsDbException.class,
                () -> DatabaseCopy.from(source).to(target, "--to").load().run());
        assertEquals(ErrorCode.TRANSFER, refused.errorCode());
        assertTrue(refused.getMessage().contains("is not empty: 2 table(s) hold rows (foundups_already_here_users, "
                + "foundupsdb_namespaces). Copy into an empty database, or add --replace"), refused.getMessage());

        CopyReport report = DatabaseCopy.from(source).to(target).existingTarget(ExistingTarget.REPLACE).load().run();
        assertTrue(report.verified(), report.mismatches().toString());
        try (FoundupsDb to = FoundupsDb.configure().databaseUrl(target).open()) {
            assertTrue(to.catalog().find(NamespaceKind.FOUNDUP, "already_here").isEmpty(), "replaced");
        }
        // A finished copy is data like any other: copying again is refused.
        assertThrows(FoundupsDbException.class, () -> DatabaseCopy.from(source).to(target).load().run());
    }

    @Test
    void anInterruptedCopyResumesWithoutCopyingFinishedTablesAgain() throws Exception {
        source = CopySource.create(dir, 25_000);
        RuntimeException interruption = new IllegalStateException("connection lost");
        List<String> firstRun = new ArrayList<>();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> DatabaseCopy.from(source)
                .to(target).listener(new CopyListener() {
                    @Override
                    public void tableCopied(String table, long rows) {
                        firstRun.add(table);
                    }

                    @Override
                    public void rowsCopied(String table, long rowsSoFar) {
                        if (table.equals("foundups_many_rows_content") && rowsSoFar == 20_000) {
                            throw interruption; // half-way through the big table
                        }
                    }
                }).load().run());
        assertEquals("connection lost", thrown.getMessage());
        assertFalse(firstRun.isEmpty());
        assertFalse(firstRun.contains("foundups_many_rows_content"));

        FoundupsDbException refused = assertThrows(FoundupsDbException.class,
                () -> DatabaseCopy.from(source).to(target).load().run());
        assertTrue(refused.getMessage().contains("holds an interrupted copy from " + "jdbc:sqlite:"), refused.getMessage());
        assertTrue(refused.getMessage().contains("(" + firstRun.size() + " table(s) done"), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("add --resume to go on with it, or --restart to start over"),
                refused.getMessage());
        try (FoundupsDb to = FoundupsDb.configure().databaseUrl(target).migrateOnOpen(false).open()) {
            assertEquals(0, to.foundUp("many_rows").content().size(), "the table in progress was rolled back");
        }

        List<String> skipped = new ArrayList<>();
        List<String> secondRun = new ArrayList<>();
        CopyReport report = DatabaseCopy.from(source).to(target).existingTarget(ExistingTarget.RESUME)
                .listener(new CopyListener() {
                    @Override
                    public void tableSkipped(String table, long rows) {
                        skipped.add(table);
                    }

                    @Override
                    public void tableCopied(String table, long rows) {
                        secondRun.add(table);
                    }
                }).load().run();
        assertEquals(firstRun, skipped, "finished tables are not copied again");
        assertTrue(secondRun.contains("foundups_many_rows_content"));
        assertTrue(secondRun.stream().noneMatch(firstRun::contains));
        assertTrue(report.verified(), report.mismatches().toString());
        assertEquals(secondRun.size(), report.tablesCopied());
        try (FoundupsDb to = FoundupsDb.configure().databaseUrl(target).open()) {
            assertEquals(25_000, to.foundUp("many_rows").content().size());
        }

        // --restart (REPLACE) starts over cleanly on a finished copy too.
        CopyReport again = DatabaseCopy.from(source).to(target).existingTarget(ExistingTarget.REPLACE).load().run();
        assertTrue(again.verified());
        assertEquals(again.tables().size() - 1, again.tablesCopied(), "all but the catalog copied again");
    }

    @Test
    void verificationReportsEveryDifference() throws Exception {
        source = CopySource.create(dir, 0);
        assertTrue(DatabaseCopy.from(source).to(target).load().run().verified());
        try (FoundupsDb to = FoundupsDb.configure().databaseUrl(target).open()) {
            to.foundUp("youtube_bot").dsl().update(FOUNDUP_USERS).set(FOUNDUP_USERS.USERNAME, "changed")
                    .where(FOUNDUP_USERS.ID.eq("user123")).execute();
            to.dsl().deleteFrom(AGENTS_ERRORS).where(AGENTS_ERRORS.ERROR_HASH.eq("h2")).execute();
        }
        CopyReport report = DatabaseCopy.from(source).to(target).load().verify();
        assertFalse(report.verified());
        assertEquals(List.of("agents_errors: 2 rows in the source, 1 in the target"),
                report.mismatches().stream().filter(t -> t.table().equals("agents_errors"))
                        .map(CopyReport.TableResult::describe).toList());
        List<String> described = report.mismatches().stream().map(CopyReport.TableResult::describe).toList();
        assertEquals(2, described.size(), described.toString());
        assertTrue(described.get(1).startsWith("foundups_youtube_bot_users: 2 rows on both sides, but their values "
                + "differ (checksum "), described.toString());
        assertEquals(0, report.tablesCopied());
    }

    @Test
    void aSourceBehindItsTemplatesIsRefusedNamingTheCommand() throws Exception {
        source = CopySource.create(dir, 0);
        try (FoundupsDb from = FoundupsDb.configure().databaseUrl(source).open()) {
            from.dsl().update(FOUNDUPSDB_NAMESPACES).set(FOUNDUPSDB_NAMESPACES.TEMPLATE_VERSION, 0)
                    .where(FOUNDUPSDB_NAMESPACES.NAME.eq("youtube_bot")).execute();
        }
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> DatabaseCopy.from(source, "--from").to(target).load().run());
        assertEquals(ErrorCode.TRANSFER, e.errorCode());
        assertTrue(e.getMessage().contains("is not ready to be copied: foundup:youtube_bot is at version 0 of "
                + "template 'foundup', this release has 1. Bring it up to date first: foundups-db --url SOURCE "
                + "migrate"), e.getMessage());
    }

    @Test
    void badSettingsAreNamed() {
        FoundupsDbException scheme = assertThrows(FoundupsDbException.class,
                () -> DatabaseCopy.from("mysql://h/db", "--from"));
        assertEquals(ErrorCode.CONFIGURATION, scheme.errorCode());
        assertTrue(scheme.getMessage().startsWith("--from 'mysql://h/db' is not a supported database URL"),
                scheme.getMessage());

        Path missing = dir.resolve("nothing-here.db");
        FoundupsDbException noFile = assertThrows(FoundupsDbException.class,
                () -> DatabaseCopy.from("jdbc:sqlite:" + missing, "--from").to(target).load().run());
        assertEquals("--from: there is no SQLite database at " + missing, noFile.getMessage());
        assertFalse(missing.toFile().exists(), "looking did not create it");

        FoundupsDbException noTarget = assertThrows(FoundupsDbException.class,
                () -> DatabaseCopy.from(target).to("jdbc:sqlite:" + missing, "--to").load().verify());
        assertEquals("--to: there is no SQLite database at " + missing, noTarget.getMessage());
        assertFalse(missing.toFile().exists(), "verifying did not create it");

        FoundupsDbException same = assertThrows(FoundupsDbException.class,
                () -> DatabaseCopy.from(target, "--from").to(target, "--to").load());
        assertTrue(same.getMessage().startsWith("--from and --to name the same database"), same.getMessage());
        assertThrows(IllegalStateException.class, () -> DatabaseCopy.from(target).load());
    }

    /** A table's rows through its generated class, as maps: values of the Java types the API hands out. */
    private static List<Map<String, Object>> rows(DSLContext dsl, org.jooq.Table<?> table) {
        return dsl.selectFrom(table).orderBy(table.getPrimaryKey().getFields()).fetchMaps();
    }
}
