package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.testing.Backend;

/** SQLite only: the backup file itself, and restoring over the live file. */
class SqliteBackupTest {

    @TempDir
    Path dir;

    @Test
    void theBackupIsOneIntactSelfContainedFile() throws Exception {
        Path file = dir.resolve("copy.db");
        try (FoundupsDb db = Backend.SQLITE.open(dir)) {
            for (int i = 0; i < 300; i++) {
                db.agents().learnPattern("a", "t", "{\"i\":" + i + "}");
            }
            db.backup(file);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            assertEquals("ok", single(st, "PRAGMA integrity_check"));
            assertEquals("delete", single(st, "PRAGMA journal_mode"), "no -wal or -shm needed to read it");
            assertEquals("300", single(st, "SELECT COUNT(*) FROM agents_memory"));
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.contains("partial"))
                    .toList(), "nothing half-written is left");
        }
    }

    @Test
    void aBackupTakenWhileWritersCommitPassesTheFullIntegrityCheck() throws Exception {
        Path file = dir.resolve("busy.db");
        try (FoundupsDb db = Backend.SQLITE.open(dir)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong written = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                String agent = "w" + w;
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        db.agents().learnPattern(agent, "t", "{\"n\":" + written.incrementAndGet() + "}");
                    }
                });
                writers.add(t);
                t.start();
            }
            Thread.sleep(300);
            long before = written.get();
            db.backup(file);
            long during = written.get() - before;
            Thread.sleep(100);
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
            System.out.println("writes committed while the backup ran: " + during);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            assertEquals("ok", single(st, "PRAGMA integrity_check"));
            assertTrue(Integer.parseInt(single(st, "SELECT COUNT(*) FROM agents_memory")) > 0);
        }
    }

    @Test
    void backingUpOntoTheLiveDatabaseIsRefused() {
        try (FoundupsDb db = Backend.SQLITE.open(dir)) {
            FoundupsDbException e = assertThrows(FoundupsDbException.class,
                    () -> db.backup(dir.resolve("foundups.db-copy")));
            assertEquals(ErrorCode.BACKUP, e.errorCode());
            assertTrue(e.getMessage().contains("is the live database or one of its files"), e.getMessage());
        }
    }

    @Test
    void restoreReplacesTheLiveFileOnlyOnceNothingHasItOpen() throws Exception {
        String url = Backend.SQLITE.newDatabaseUrl(dir);
        Path file = dir.resolve("before.bak");
        FoundupsDbBuilder restore = FoundupsDb.configure().databaseUrl(url).busyTimeout(Duration.ofMillis(300));
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.agents().learnPattern("a", "before", "{}");
            db.backup(file);
            db.agents().learnPattern("a", "after", "{}");

            FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> restore.restore(file));
            assertEquals(ErrorCode.BACKUP, e.errorCode());
            assertTrue(e.getMessage().contains("it is open (in this process or another)")
                    && e.getMessage().contains("Close every FoundupsDb"), e.getMessage());
            assertEquals(2, db.agents().patterns("a").size(), "the open database was left alone");
        }
        try (Connection other = DriverManager.getConnection(url); Statement st = other.createStatement()) {
            st.executeQuery("SELECT 1").close();
            assertThrows(FoundupsDbException.class, () -> restore.restore(file), "another program has it open");
        }
        restore.restore(file);
        assertTrue(Files.notExists(dir.resolve("foundups.db-wal")), "the restore leaves no WAL behind");
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            assertEquals(List.of("before"), db.agents().patterns("a").stream().map(p -> p.getPatternType()).toList());
            db.agents().learnPattern("a", "later", "{}");
            assertEquals(2, db.agents().patterns("a").size(), "and it works as before");
        }
    }

    private static String single(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
