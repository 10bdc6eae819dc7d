package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.Tables;

/** Behaviour that exists on SQLite only: PRAGMAs, the database file, URLs checked before anything is written. */
class SqliteOnlyTest {

    final Backend backend = Backend.SQLITE;

    @TempDir
    Path dir;

    @Test
    void sqliteConnectionsAllCarryTheProtocolsPragmas() throws Exception {
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(backend.newDatabaseUrl(dir)).maximumPoolSize(4)
                .busyTimeout(Duration.ofSeconds(7)).open()) {
            var ds = db.dsl().configuration().connectionProvider();
            List<Connection> held = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Connection c = ds.acquire();
                    held.add(c);
                    try (Statement st = c.createStatement()) {
                        assertEquals("wal", pragma(st, "journal_mode"));
                        assertEquals("1", pragma(st, "synchronous"), "NORMAL");
                        assertEquals("1", pragma(st, "foreign_keys"));
                        assertEquals("7000", pragma(st, "busy_timeout"));
                    }
                }
            } finally {
                for (Connection c : held) {
                    ds.release(c);
                }
            }
        }
    }

    @Test
    void aDatabaseFileRecreatedAtTheSamePathIsSetUpAgain() throws Exception {
        String url = backend.newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.agents().recordAwakening("a", "1");
        }
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(dir.resolve("foundups.db" + suffix));
        }
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            assertTrue(db.agents().awakening("a").isEmpty());
            db.agents().recordAwakening("b", "1");
            assertTrue(Tables.names(db).contains("agents_awakening"));
        }
    }

    @Test
    void aBadUrlFailsAtStartNamingTheSettingAndWritesNothing() throws Exception {
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> FoundupsDb.configure().environment(Map.of("DATABASE_URL", "sqlite://localhost" + dir + "/x.db")).open());
        assertEquals(ErrorCode.CONFIGURATION, e.errorCode());
        assertTrue(e.getMessage().startsWith("DATABASE_URL (environment) 'sqlite://localhost/"), e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    private static String pragma(Statement st, String name) throws Exception {
        try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
