package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.Tables;

/** The catalog's list, lookup, create and drop. */
@ParameterizedClass
@EnumSource(Backend.class)
class CatalogTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    FoundupsDb db;
    NamespaceCatalog catalog;

    @BeforeEach
    void open() {
        db = backend.open(dir);
        catalog = db.catalog();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void createLookUpAndList() {
        NamespaceInfo created = catalog.create(NamespaceKind.FOUNDUP, "youtube_bot");
        assertEquals(NamespaceState.READY, created.state());
        assertEquals("foundups_youtube_bot_", created.tablePrefix());
        assertEquals(created, catalog.find(NamespaceKind.FOUNDUP, "youtube_bot").orElseThrow());
        assertTrue(catalog.find(NamespaceKind.FOUNDUP, "other").isEmpty());
        assertTrue(catalog.find(NamespaceKind.MODULE, "youtube_bot").isEmpty(), "kinds are separate");

        catalog.create(NamespaceKind.MODULE, "chat_rules");
        assertEquals(List.of("foundup:youtube_bot", "module:chat_rules"),
                catalog.list().stream().map(NamespaceInfo::label).toList());

        FoundupsDbException again = assertThrows(FoundupsDbException.class,
                () -> catalog.create(NamespaceKind.FOUNDUP, "youtube_bot"));
        assertEquals(ErrorCode.NAME_CONFLICT, again.errorCode());
        assertEquals("FoundUp id 'youtube_bot' exists already", again.getMessage());
    }

    @Test
    void dropRemovesTheTablesAndMarksTheCatalog() {
        db.foundUp("doomed").addUser("u", "x");
        db.foundUp("doomed").addContent("u", "c", (String) null);
        db.foundUp("kept").addUser("u", "y");

        NamespaceInfo before = catalog.drop(NamespaceKind.FOUNDUP, "doomed");
        assertEquals(NamespaceState.READY, before.state());
        List<String> tables = Tables.names(db);
        assertFalse(tables.contains("foundups_doomed_users"), tables.toString());
        assertFalse(tables.contains("foundups_doomed_content"), tables.toString());
        assertTrue(tables.contains("foundups_kept_users"), "other FoundUps are untouched");
        assertEquals("y", db.foundUp("kept").user("u").orElseThrow().getUsername());

        NamespaceInfo after = catalog.find(NamespaceKind.FOUNDUP, "doomed").orElseThrow();
        assertEquals(NamespaceState.DROPPED, after.state());
        assertTrue(catalog.pending().isEmpty(), "dropped namespaces are never migrated");

        FoundupsDbException twice = assertThrows(FoundupsDbException.class,
                () -> catalog.drop(NamespaceKind.FOUNDUP, "doomed"));
        assertEquals("there is no FoundUp id 'doomed' to drop", twice.getMessage());
        assertThrows(FoundupsDbException.class, () -> catalog.drop(NamespaceKind.MODULE, "never_made"));

        // The name can be used again: fresh, empty tables.
        FoundUp reborn = db.foundUp("doomed");
        assertTrue(reborn.users().isEmpty());
        reborn.addUser("u2", "new");
        assertEquals(NamespaceState.READY, catalog.find(NamespaceKind.FOUNDUP, "doomed").orElseThrow().state());
        assertEquals(1, catalog.list().stream().filter(n -> n.name().equals("doomed")).count());
    }

    @Test
    void createFoundUpsInBulk() {
        List<String> ids = IntStream.range(0, 25).mapToObj(i -> "bulk_" + i).toList();
        db.foundUp("bulk_3").addUser("kept", "already there");
        List<NamespaceInfo> created = catalog.createFoundUps(ids);
        assertEquals(ids, created.stream().map(NamespaceInfo::name).toList());
        assertTrue(created.stream().allMatch(n -> n.state() == NamespaceState.READY));
        assertEquals(25, catalog.list().size());
        assertEquals("already there", db.foundUp("bulk_3").user("kept").orElseThrow().getUsername(),
                "an existing FoundUp is kept as it is");
        db.foundUp("bulk_24").addUser("u", "works");
    }

    @Test
    void aBulkCreateWithOneBadIdCreatesNothing() {
        List<String> ids = new ArrayList<>(List.of("good_1", "good_2", "Bad-Id", "good_3"));
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> catalog.createFoundUps(ids));
        assertEquals(ErrorCode.INVALID_NAME, e.errorCode());
        assertTrue(catalog.list().isEmpty());
    }
}
