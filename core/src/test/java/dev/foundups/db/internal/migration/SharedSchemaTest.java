package dev.foundups.db.internal.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import org.jooq.impl.DSL;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DataSources;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.TemplateOverlay;

/** Liquibase starts only when the shared changelog has something the database has not recorded. */
@ParameterizedClass
@EnumSource(Backend.class)
class SharedSchemaTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    private final ClassLoader loader = getClass().getClassLoader();

    private HikariDataSource open(String url) {
        return DataSources.open(DatabaseUrl.parse(url, "url"), 2, Duration.ofSeconds(10), 64L << 20);
    }

    @Test
    void anUpToDateDatabaseDoesNotStartLiquibase() throws Exception {
        try (HikariDataSource ds = open(backend.newDatabaseUrl(dir))) {
            assertTrue(SharedSchema.update(ds, loader), "an empty database is brought up to date");
            int applied = count(ds, "SELECT COUNT(*) FROM databasechangelog");
            assertTrue(applied >= 3, "the shared changesets are recorded: " + applied);
            assertFalse(SharedSchema.update(ds, loader), "then nothing is left to do");
            assertEquals(applied, count(ds, "SELECT COUNT(*) FROM databasechangelog"), "and nothing is run again");
        }
    }

    @Test
    void theStoredFingerprintDecidesWithoutLiquibaseAndAWrongOneTakesTheFullPath() throws Exception {
        try (HikariDataSource ds = open(backend.newDatabaseUrl(dir))) {
            assertTrue(SharedSchema.update(ds, loader));
            String stored = fingerprint(ds);
            assertEquals(64, stored.length(), "recorded after the update: " + stored);
            assertFalse(SharedSchema.update(ds, loader));
            execute(ds, "UPDATE foundupsdb_fingerprints SET fingerprint = 'stale' WHERE name = 'shared'");
            assertFalse(SharedSchema.update(ds, loader), "Liquibase's own check finds nothing to run either");
            assertEquals(stored, fingerprint(ds), "and the fingerprint is recorded again");
            execute(ds, "DELETE FROM foundupsdb_fingerprints");
            assertFalse(SharedSchema.update(ds, loader));
            assertEquals(stored, fingerprint(ds));
        }
    }

    @Test
    void aNewSharedChangesetIsStillApplied() throws Exception {
        ClassLoader next = nextRelease();
        try (HikariDataSource ds = open(backend.newDatabaseUrl(dir))) {
            SharedSchema.update(ds, loader);
            assertTrue(SharedSchema.update(ds, next), "the next release's changeset is not recorded yet");
            assertEquals(0, count(ds, "SELECT COUNT(*) FROM agents_test_notes"), "its table exists");
            assertFalse(SharedSchema.update(ds, next));
            assertFalse(SharedSchema.update(ds, loader),
                    "a changeset the release lacks does not make it run");
        }
    }

    @Test
    void openAppliesANewSharedChangesetToAnExistingDatabase() throws Exception {
        String url = backend.newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.foundUp("kept").addUser("u", "still here");
        }
        ClassLoader next = nextRelease();
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).classLoader(next).open()) {
            assertEquals(0, db.dsl().fetchCount(DSL.table(DSL.name("agents_test_notes"))));
            assertEquals("still here", db.foundUp("kept").user("u").orElseThrow().getUsername());
        }
    }

    @Test
    void anEditedChangesetTakesTheFullPathAndFailsAsBefore() throws Exception {
        try (HikariDataSource ds = open(backend.newDatabaseUrl(dir))) {
            SharedSchema.update(ds, loader);
            execute(ds, "UPDATE databasechangelog SET md5sum = '9:00000000000000000000000000000000' "
                    + "WHERE id = '001-agent-memory'");
            FoundupsDbException e = assertThrows(FoundupsDbException.class,
                    () -> SharedSchema.update(ds, loader));
            assertEquals(ErrorCode.MIGRATION, e.errorCode());
            assertTrue(e.getMessage().contains("001-agent-memory"), e.getMessage());
            assertTrue(e.getMessage().contains("9:00000000000000000000000000000000"), e.getMessage());
        }
    }

    @Test
    void aForgottenChangesetIsRunAgain() throws Exception {
        try (HikariDataSource ds = open(backend.newDatabaseUrl(dir))) {
            SharedSchema.update(ds, loader);
            execute(ds, "DROP TABLE agents_errors");
            execute(ds, "DROP TABLE agents_memory");
            execute(ds, "DROP TABLE agents_awakening");
            execute(ds, "DELETE FROM databasechangelog WHERE id = '001-agent-memory'");
            assertTrue(SharedSchema.update(ds, loader));
            assertEquals(0, count(ds, "SELECT COUNT(*) FROM agents_errors"));
        }
    }

    /** @return a class loader that sees one more shared changeset: a table agents_test_notes */
    private ClassLoader nextRelease() {
        return new TemplateOverlay(dir.resolve("next")).changelog("db/foundups/agents/900-notes.xml", """
                <changeSet id="900-notes" author="test">
                  <createTable tableName="agents_test_notes">
                    <column name="id" type="TEXT"/>
                  </createTable>
                </changeSet>""").classLoader();
    }

    private static String fingerprint(HikariDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT fingerprint FROM foundupsdb_fingerprints WHERE name = 'shared'")) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    private static int count(HikariDataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void execute(HikariDataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
