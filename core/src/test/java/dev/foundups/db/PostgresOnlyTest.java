package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.TemplateOverlay;

import dev.foundups.db.FoundupsDbException.ErrorCode;

/** Behaviour that exists on PostgreSQL only: a server that can be unreachable, parallel migration. */
class PostgresOnlyTest {

    @Test
    void anUnreachableServerIsAConnectionErrorWithoutThePassword() {
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> FoundupsDb.configure()
                .databaseUrl("postgresql://fu:s3cret@127.0.0.1:1/foundups").open());
        assertEquals(ErrorCode.DB_CONNECTION, e.errorCode());
        assertTrue(e.getMessage().startsWith("cannot connect to jdbc:postgresql://127.0.0.1:1/foundups (user fu, "
                + "password ****)"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"));
    }


    @Test
    void postgresMigratesSeveralNamespacesAtOnce(@TempDir Path dir) {
        // SQLite has one writer, so it migrates one namespace at a time.
        String url = Backend.POSTGRESQL.newDatabaseUrl(dir);
        ClassLoader nextRelease = new TemplateOverlay(dir.resolve("next"))
                .changelog("db/foundups/templates/foundup/002-note-and-seed.xml", MigrationTest.NEXT_CHANGESET)
                .classLoader();
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.catalog().createFoundUps(MigrationTest.fu(16));
        }
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).classLoader(nextRelease).migrateOnOpen(false)
                .maximumPoolSize(6).migrationParallelism(4).open()) {
            MigrationReport report = db.catalog().migrate(new MigrationListener() {
                @Override
                public void migrated(NamespaceInfo namespace, int from, int to) {
                    threads.add(Thread.currentThread().getName() + "@" + System.identityHashCode(Thread.currentThread()));
                }
            });
            assertEquals(16, report.migrated());
        }
        assertTrue(threads.size() > 1, "migrated on " + threads);
    }

    @Test
    void tablesAreListedInTheConnectionsSchemaNotInPublic(@TempDir Path dir) {
        String url = Backend.POSTGRESQL.newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.dsl().execute("CREATE SCHEMA tenant_b");
            db.dsl().execute("CREATE TABLE tenant_b.stray (id int)");
            assertTrue(db.tableNames().contains("agents_memory"), db.tableNames().toString());
            assertFalse(db.tableNames().contains("stray"), db.tableNames().toString());
        }
        String inSchema = url + (url.contains("?") ? "&" : "?") + "currentSchema=tenant_b";
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(inSchema).open()) {
            db.foundUp("fu_b").addUser("u1", "User One");
            assertTrue(db.tableNames().contains("stray"), db.tableNames().toString());
            assertTrue(db.tableNames().contains("foundups_fu_b_users"), db.tableNames().toString());
        }
    }
}
