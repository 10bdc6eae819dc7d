package dev.foundups.db.internal.namespaces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.TemplateOverlay;

/**
 * Opening uses the stored fingerprints of the changelogs instead of Liquibase: a template whose files are unchanged
 * is made from its stored summary, still renders its SQL when a namespace is created, and any change to its files
 * (or a summary this release cannot read) takes the full path.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class StoredFingerprintsTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    private static String summary(FoundupsDb db, String name) {
        return db.dsl().fetchValue("SELECT summary FROM foundupsdb_fingerprints WHERE name = ?", name)
                instanceof String s ? s : null;
    }

    @Test
    void anUnchangedTemplateComesFromItsSummaryAndStillCreatesNamespaces() {
        String url = backend.newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.foundUp("first").addUser("u1", "One");
            assertEquals("1;1;16;users,content", summary(db, "template:foundup:foundup"));
            assertNotNull(db.dsl().fetchValue("SELECT fingerprint FROM foundupsdb_fingerprints WHERE name = 'shared'"));
        }
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            Template template = registry(db, getClass().getClassLoader()).require(NamespaceKind.FOUNDUP, "foundup");
            assertTrue(template.fromStoredSummary(), "made from the stored summary, without Liquibase");
            assertEquals("One", db.foundUp("first").user("u1").orElseThrow().getUsername());
            db.foundUp("second").addUser("u2", "Two"); // renders the DDL now
            assertEquals("Two", db.foundUp("second").user("u2").orElseThrow().getUsername());
            assertEquals(2, db.namespaces().size());
        }
    }

    @Test
    void aChangedTemplateFileIsRenderedAndMigratedAfterTheFingerprintCheck() {
        String url = backend.newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.foundUp("kept").addUser("u", "Kept");
        }
        ClassLoader next = new TemplateOverlay(dir.resolve("next"))
                .changelog("db/foundups/templates/foundup/002-note.xml", """
                        <changeSet id="002-note" author="test">
                          <sql>ALTER TABLE ${table.prefix}users ADD COLUMN note TEXT DEFAULT 'none'</sql>
                        </changeSet>""")
                .classLoader();
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).classLoader(next).open()) {
            assertEquals(1, db.openingMigration().orElseThrow().migrated(), "the new changeset was applied on open");
            assertEquals("none", db.dsl().fetchValue("SELECT note FROM foundups_kept_users WHERE id = 'u'"));
            assertEquals("1;2;16;users,content", summary(db, "template:foundup:foundup"));
        }
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).classLoader(next).open()) {
            assertTrue(registry(db, next).require(NamespaceKind.FOUNDUP, "foundup").fromStoredSummary());
            assertEquals(0, db.openingMigration().orElseThrow().pending());
            db.foundUp("later").addUser("u", "Later");
            assertEquals("none", db.dsl().fetchValue("SELECT note FROM foundups_later_users WHERE id = 'u'"));
        }
    }

    @Test
    void aSummaryThisReleaseCannotReadIsRenderedAgain() {
        String url = backend.newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.foundUp("first").addUser("u1", "One");
            db.dsl().execute("UPDATE foundupsdb_fingerprints SET summary = 'garbage' WHERE name LIKE 'template:%'");
        }
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            assertEquals("One", db.foundUp("first").user("u1").orElseThrow().getUsername());
            assertEquals("1;1;16;users,content", summary(db, "template:foundup:foundup"), "and stored again");
        }
    }

    /** A registry as the database's own: reading the stored summaries through its shared context. */
    private static TemplateRegistry registry(FoundupsDb db, ClassLoader loader) {
        return new TemplateRegistry(db.dialect(), loader, db.dsl());
    }
}
