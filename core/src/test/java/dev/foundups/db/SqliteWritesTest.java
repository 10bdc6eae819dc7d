package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.testing.Backend;

/** SQLite only: how writers wait for each other, the WAL's bound, and a clean shutdown. */
class SqliteWritesTest {

    @TempDir
    Path dir;

    @Test
    void aWriterWaitsForAnOpenTransactionInsteadOfFailing() throws Exception {
        try (FoundupsDb db = Backend.SQLITE.open(dir)) {
            CountDownLatch begun = new CountDownLatch(1);
            CompletableFuture<Void> transaction = CompletableFuture.runAsync(() -> db.dsl().transaction(tx -> {
                tx.dsl().insertInto(dev.foundups.db.jooq.Tables.AGENTS_MEMORY)
                        .set(dev.foundups.db.jooq.Tables.AGENTS_MEMORY.AGENT_ID, "first")
                        .set(dev.foundups.db.jooq.Tables.AGENTS_MEMORY.PATTERN_TYPE, "t").execute();
                begun.countDown();
                Thread.sleep(700);
            }));
            begun.await(20, TimeUnit.SECONDS);
            long start = System.nanoTime();
            long secondId = db.agents().learnPattern("second", "t", "{}");
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            transaction.get(20, TimeUnit.SECONDS);
            long firstId = db.agents().patterns("first").get(0).getId();
            assertTrue(firstId < secondId, "the waiting write came after the transaction");
            assertTrue(waited >= 300, "it waited for the transaction, " + waited + " ms");
        }
    }

    @Test
    void aWriteThatWaitsLongerThanTheBusyTimeoutFailsSayingWhy() throws Exception {
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(Backend.SQLITE.newDatabaseUrl(dir))
                .busyTimeout(Duration.ofMillis(300)).open()) {
            CountDownLatch begun = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            CompletableFuture<Void> transaction = CompletableFuture.runAsync(() -> db.dsl().transaction(tx -> {
                Thread.currentThread().setName("long-transaction");
                tx.dsl().insertInto(dev.foundups.db.jooq.Tables.AGENTS_MEMORY)
                        .set(dev.foundups.db.jooq.Tables.AGENTS_MEMORY.AGENT_ID, "slow")
                        .set(dev.foundups.db.jooq.Tables.AGENTS_MEMORY.PATTERN_TYPE, "t").execute();
                begun.countDown();
                done.await(20, TimeUnit.SECONDS);
            }));
            begun.await(20, TimeUnit.SECONDS);
            FoundupsDbException e = assertThrows(FoundupsDbException.class,
                    () -> db.agents().recordAwakening("impatient", "1"));
            long start = System.nanoTime();
            FoundupsDbException inTransaction = assertThrows(FoundupsDbException.class,
                    () -> db.dsl().transaction(tx -> db.agents().recordAwakening("never", "1")));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            done.countDown();
            assertEquals(ErrorCode.BUSY, inTransaction.errorCode());
            assertTrue(waited < 3000, "a transaction gives up after busyTimeout too, not later: " + waited + " ms");
            transaction.get(20, TimeUnit.SECONDS);
            assertEquals(ErrorCode.BUSY, e.errorCode());
            assertTrue(e.getMessage().contains("waited 300 ms (busyTimeout)")
                    && e.getMessage().contains("thread 'long-transaction'")
                    && e.getMessage().contains("busyTimeout(...)"), e.getMessage());
            db.agents().recordAwakening("impatient", "1");
            assertTrue(db.agents().awakening("impatient").isPresent(), "the same write works once the lock is free");
        }
    }

    @Test
    void writingOutsideTheTransactionFromInsideItFailsAtOnceInsteadOfWaitingForItself() {
        try (FoundupsDb db = Backend.SQLITE.open(dir)) {
            long start = System.nanoTime();
            FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> db.dsl().transaction(tx -> {
                tx.dsl().insertInto(dev.foundups.db.jooq.Tables.AGENTS_MEMORY)
                        .set(dev.foundups.db.jooq.Tables.AGENTS_MEMORY.AGENT_ID, "inside")
                        .set(dev.foundups.db.jooq.Tables.AGENTS_MEMORY.PATTERN_TYPE, "t").execute();
                db.agents().recordAwakening("outside", "1"); // db's context, not tx.dsl()
            }));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "it failed at once");
            assertEquals(ErrorCode.BUSY, e.errorCode());
            assertTrue(e.getMessage().contains("run every statement on tx.dsl()"), e.getMessage());
            assertTrue(db.agents().patterns("inside").isEmpty(), "the transaction was rolled back");
            assertTrue(db.agents().awakening("outside").isEmpty());
        }
    }

    @Test
    void theWalStaysWithinItsLimitWhileReadersNeverPause() throws Exception {
        long limit = 1L << 20;
        String payload = "{\"text\":\"" + "x".repeat(3000) + "\"}";
        int writes = 1500;

        // Control, on a file of its own: the same writes on a plain connection, as the protocol's own design does
        // them. Only SQLite's passive checkpoints run, and with readers always in the WAL it grows with every write.
        Path controlDir = Files.createDirectories(dir.resolve("control"));
        String controlUrl = Backend.SQLITE.newDatabaseUrl(controlDir);
        FoundupsDb.configure().databaseUrl(controlUrl).open().close();
        File controlWal = controlDir.resolve("foundups.db-wal").toFile();
        long plainMax = 0;
        try (OverlappingReaders readers = new OverlappingReaders(controlUrl);
             Connection plain = DriverManager.getConnection(controlUrl);
             PreparedStatement insert = plain.prepareStatement(
                     "INSERT INTO agents_memory (agent_id, pattern_type, pattern_data) VALUES (?, ?, ?)")) {
            for (int i = 0; i < writes; i++) {
                insert.setString(1, "plain");
                insert.setString(2, "t");
                insert.setString(3, payload);
                insert.executeUpdate();
                plainMax = Math.max(plainMax, controlWal.length());
            }
        }
        assertTrue(plainMax > 4 * limit, "control: with readers never pausing the WAL grows, to " + plainMax);

        String url = Backend.SQLITE.newDatabaseUrl(dir);
        File wal = dir.resolve("foundups.db-wal").toFile();
        long max = 0;
        long transactions;
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).walSizeLimit(limit).open();
             OverlappingReaders readers = new OverlappingReaders(url)) {
            for (int i = 0; i < writes; i++) {
                db.agents().learnPattern("bounded", "t", payload);
                max = Math.max(max, wal.length());
            }
            transactions = readers.transactions();
        }
        assertTrue(max <= limit + 64 * 1024, "the WAL stayed within its limit (plus one commit): " + max);
        assertTrue(transactions > 10, "readers kept reading: " + transactions);
        System.out.println("WAL high-water mark: plain connection " + plainMax + " bytes, FoundupsDb " + max
                + " bytes (limit " + limit + "), readers ran " + transactions + " transactions");
    }

    @Test
    void aWalLimitBelowOneMebibyteIsRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FoundupsDb.configure().walSizeLimit(64 * 1024));
        assertEquals("walSizeLimit cannot be less than 1 MiB (1048576 bytes), was 65536", e.getMessage());
    }

    @Test
    void closingLeavesNoWalOrShmBehindWhenItWasTheLastConnection() {
        try (FoundupsDb db = Backend.SQLITE.open(dir)) {
            for (int i = 0; i < 200; i++) {
                db.agents().learnPattern("a", "t", "{\"i\":" + i + "}");
            }
            assertTrue(Files.exists(dir.resolve("foundups.db-wal")));
        }
        assertFalse(Files.exists(dir.resolve("foundups.db-wal")), "no -wal after close");
        assertFalse(Files.exists(dir.resolve("foundups.db-shm")), "no -shm after close");
        try (FoundupsDb db = Backend.SQLITE.open(dir)) {
            assertEquals(200, db.agents().patterns("a").size());
        }
    }

    @Test
    void closingWhileAnotherConnectionStaysOpenLeavesItAnEmptyWal() throws Exception {
        String url = Backend.SQLITE.newDatabaseUrl(dir);
        try (FoundupsDb first = FoundupsDb.configure().databaseUrl(url).open();
             Connection other = DriverManager.getConnection(url)) {
            try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
                for (int i = 0; i < 200; i++) {
                    db.agents().learnPattern("a", "t", "{\"i\":" + i + "}");
                }
                assertTrue(Files.size(dir.resolve("foundups.db-wal")) > 0);
            }
            assertEquals(0, Files.size(dir.resolve("foundups.db-wal")), "checkpointed and truncated on close");
            try (Statement st = other.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM agents_memory")) {
                rs.next();
                assertEquals(200, rs.getInt(1));
            }
            assertEquals(200, first.agents().patterns("a").size());
        }
    }

    /**
     * Two plain connections that each hold a read transaction open for 30 ms, then start the next at once, half a
     * period apart: at every moment some reader is inside the WAL, as with a busy dashboard or report.
     */
    private static final class OverlappingReaders implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong transactions = new AtomicLong();
        private final List<Thread> threads = new ArrayList<>();
        private final List<Throwable> errors = new ArrayList<>();

        OverlappingReaders(String url) throws InterruptedException {
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(() -> read(url), "overlapping-reader-" + i);
                threads.add(t);
                t.start();
                Thread.sleep(15);
            }
        }

        private void read(String url) {
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                while (!stop.get()) {
                    st.execute("BEGIN");
                    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM agents_memory")) {
                        rs.next();
                    }
                    Thread.sleep(30);
                    st.execute("COMMIT");
                    transactions.incrementAndGet();
                }
            } catch (Exception e) {
                synchronized (errors) {
                    errors.add(e);
                }
            }
        }

        long transactions() {
            return transactions.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            synchronized (errors) {
                assertEquals(List.of(), errors, "the readers failed");
            }
        }
    }
}
