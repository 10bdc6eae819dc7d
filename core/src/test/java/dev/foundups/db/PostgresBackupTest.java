package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.testing.Backend;

/** PostgreSQL only: backup is pg_dump and restore is pg_restore into an empty database, and they say so. */
class PostgresBackupTest {

    @TempDir
    Path dir;

    @Test
    void withoutPgDumpABackupIsRefusedNamingTheTool() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("no-tools-here"));
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(Backend.POSTGRESQL.newDatabaseUrl(dir))
                .postgresClientTools(empty).open()) {
            FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> db.backup(dir.resolve("x.bak")));
            assertEquals(ErrorCode.BACKUP, e.errorCode());
            assertTrue(e.getMessage().startsWith("backup on PostgreSQL runs pg_dump, which was not found in " + empty)
                    && e.getMessage().contains("postgresql-client"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("x.bak")));
    }

    @Test
    void restoringIntoADatabaseThatHasTablesIsRefused() {
        Path file = dir.resolve("db.bak");
        String url = Backend.POSTGRESQL.newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.agents().learnPattern("a", "kept", "{}");
            db.backup(file);
        }
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> FoundupsDb.configure().databaseUrl(url).restore(file));
        assertEquals(ErrorCode.BACKUP, e.errorCode());
        assertTrue(e.getMessage().contains("Restore into a new, empty database"), e.getMessage());
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            assertEquals(1, db.agents().patterns("a").size(), "left as it was");
        }
    }
}
