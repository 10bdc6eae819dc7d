package dev.foundups.db;

import static dev.foundups.db.jooq.Tables.CHAT_RULES_MODERATORS;
import static dev.foundups.db.jooq.Tables.CHAT_RULES_TIMEOUTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.modules.chatrules.ChatRules;
import dev.foundups.db.testing.Backend;

/**
 * Many threads writing at once, as a user sees it: every write that returned is stored and visible to others, a
 * failing write fails alone, a transaction is whole. On SQLite the single-statement writes of concurrent threads
 * are committed in groups (one transaction, a savepoint each); the same must hold on PostgreSQL, where they are not.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class ConcurrentWritesTest {

    private static final int THREADS = 6;

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    FoundupsDb db;
    ChatRules chat;
    ExecutorService pool;

    @BeforeEach
    void open() {
        db = backend.open(dir);
        chat = ChatRules.of(db);
        pool = Executors.newFixedThreadPool(THREADS + 1);
    }

    @AfterEach
    void close() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(30, TimeUnit.SECONDS);
        db.close();
    }

    @Test
    void everyWriteThatReturnedIsStoredAndAlreadyVisibleToOtherConnections() throws Exception {
        int each = 150;
        List<Future<List<Long>>> writers = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < THREADS; t++) {
            String mod = "m" + t;
            writers.add(pool.submit(() -> {
                go.await();
                List<Long> ids = new ArrayList<>();
                DSLContext dsl = chat.dsl();
                for (int i = 0; i < each; i++) {
                    long id = i % 2 == 0 ? chat.recordTimeout(mod, "u" + i, i)          // a compiled statement
                            : dsl.insertInto(CHAT_RULES_TIMEOUTS)                       // a jOOQ statement
                                    .set(CHAT_RULES_TIMEOUTS.MOD_ID, mod)
                                    .set(CHAT_RULES_TIMEOUTS.TARGET, "u" + i)
                                    .set(CHAT_RULES_TIMEOUTS.DURATION, i)
                                    .returningResult(CHAT_RULES_TIMEOUTS.ID).fetchSingle().value1();
                    ids.add(id);
                    if (i % 10 == 0) {
                        // Acknowledged means committed: a read on another connection finds it at once.
                        assertEquals(1, dsl.fetchCount(CHAT_RULES_TIMEOUTS, CHAT_RULES_TIMEOUTS.ID.eq(id)),
                                "row " + id + " visible after its write returned");
                    }
                }
                return ids;
            }));
        }
        go.countDown();
        Set<Long> acknowledged = new HashSet<>();
        for (Future<List<Long>> writer : writers) {
            acknowledged.addAll(writer.get(120, TimeUnit.SECONDS));
        }
        assertEquals(THREADS * each, acknowledged.size(), "every write got an id of its own");
        Set<Long> stored = new HashSet<>(chat.dsl().select(CHAT_RULES_TIMEOUTS.ID).from(CHAT_RULES_TIMEOUTS)
                .fetch(CHAT_RULES_TIMEOUTS.ID));
        assertEquals(acknowledged, stored);
    }

    @Test
    void aFailingWriteAmongConcurrentOnesFailsAloneAndTheOthersAreStored() throws Exception {
        chat.upsertModerator("taken", "first", 1, null);
        // Writers pile up behind an open transaction, so that on SQLite they are committed as one group when it
        // ends: the duplicate key and the NOT NULL violation among them must fail only their own callers.
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> transaction = pool.submit(() -> chat.dsl().transaction(tx -> {
            tx.dsl().insertInto(CHAT_RULES_TIMEOUTS).set(CHAT_RULES_TIMEOUTS.MOD_ID, "tx")
                    .set(CHAT_RULES_TIMEOUTS.TARGET, "tx").set(CHAT_RULES_TIMEOUTS.DURATION, 0).execute();
            holding.countDown();
            release.await(60, TimeUnit.SECONDS);
        }));
        assertTrue(holding.await(60, TimeUnit.SECONDS));
        List<Callable<Object>> writes = List.of(
                () -> chat.recordTimeout("ok", "a", 1),
                () -> chat.dsl().insertInto(CHAT_RULES_MODERATORS).set(CHAT_RULES_MODERATORS.ID, "taken")
                        .set(CHAT_RULES_MODERATORS.NAME, "duplicate").execute(),
                () -> chat.recordTimeout("ok", "b", 2),
                () -> chat.recordTimeout(null, "null mod", 3),
                () -> chat.dsl().insertInto(CHAT_RULES_TIMEOUTS).set(CHAT_RULES_TIMEOUTS.MOD_ID, "ok")
                        .set(CHAT_RULES_TIMEOUTS.TARGET, "c").set(CHAT_RULES_TIMEOUTS.DURATION, 3).execute());
        List<Thread> threads = new ArrayList<>();
        List<Future<Object>> results = new ArrayList<>();
        for (Callable<Object> write : writes) {
            CountDownLatch started = new CountDownLatch(1);
            results.add(pool.submit(() -> {
                threads.add(Thread.currentThread());
                started.countDown();
                return write.call();
            }));
            started.await();
        }
        awaitAllWaitingOrDone(threads, results);
        release.countDown();
        transaction.get(60, TimeUnit.SECONDS);

        assertFailsWith(results.get(1), "moderators");
        assertFailsWith(results.get(3), "mod_id");
        for (int i : new int[] {0, 2, 4}) {
            assertNull(failure(results.get(i)), "write " + i + " succeeded");
        }
        assertEquals(List.of("a", "b", "c"), chat.dsl().select(CHAT_RULES_TIMEOUTS.TARGET).from(CHAT_RULES_TIMEOUTS)
                .where(CHAT_RULES_TIMEOUTS.MOD_ID.eq("ok")).orderBy(CHAT_RULES_TIMEOUTS.TARGET)
                .fetch(CHAT_RULES_TIMEOUTS.TARGET));
        assertEquals("first", chat.moderator("taken").orElseThrow().getName());
        assertEquals(1, chat.dsl().fetchCount(CHAT_RULES_TIMEOUTS, CHAT_RULES_TIMEOUTS.MOD_ID.eq("tx")));
    }

    @Test
    void transactionsAmongConcurrentWritesStayWholeAndSeeTheirOwnWrites() throws Exception {
        int rounds = 40;
        List<Future<?>> work = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < THREADS; t++) {
            String mod = "t" + t;
            boolean transactions = t % 2 == 0;
            work.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < rounds; i++) {
                    if (!transactions) {
                        chat.recordTimeout(mod, "single" + i, i);
                        continue;
                    }
                    String group = mod + "-" + i;
                    boolean rollBack = i % 3 == 0;
                    try {
                        chat.dsl().transaction(tx -> {
                            DSLContext t2 = tx.dsl();
                            for (int r = 0; r < 3; r++) {
                                t2.insertInto(CHAT_RULES_TIMEOUTS).set(CHAT_RULES_TIMEOUTS.MOD_ID, mod)
                                        .set(CHAT_RULES_TIMEOUTS.TARGET, group)
                                        .set(CHAT_RULES_TIMEOUTS.DURATION, r).execute();
                            }
                            assertEquals(3, t2.fetchCount(CHAT_RULES_TIMEOUTS,
                                    CHAT_RULES_TIMEOUTS.TARGET.eq(group)), "the transaction sees its own rows");
                            if (rollBack) {
                                throw new IllegalStateException("roll back " + group);
                            }
                        });
                        assertFalse(rollBack);
                    } catch (IllegalStateException e) {
                        assertTrue(rollBack, e::getMessage);
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : work) {
            f.get(120, TimeUnit.SECONDS);
        }
        for (int t = 0; t < THREADS; t += 2) {
            for (int i = 0; i < rounds; i++) {
                int expected = i % 3 == 0 ? 0 : 3;
                assertEquals(expected, chat.dsl().fetchCount(CHAT_RULES_TIMEOUTS,
                        CHAT_RULES_TIMEOUTS.TARGET.eq("t" + t + "-" + i)), "transaction t" + t + "-" + i);
            }
        }
        for (int t = 1; t < THREADS; t += 2) {
            assertEquals(rounds, chat.dsl().fetchCount(CHAT_RULES_TIMEOUTS, CHAT_RULES_TIMEOUTS.MOD_ID.eq("t" + t)));
        }
    }

    /**
     * Waits (without a time limit of its own: the test's futures have theirs) until each writer has finished or is
     * blocked: on SQLite they wait behind the transaction; on PostgreSQL they do not wait for it.
     */
    private static void awaitAllWaitingOrDone(List<Thread> threads, List<Future<Object>> results)
            throws InterruptedException {
        while (true) {
            boolean settled = true;
            for (int i = 0; i < results.size(); i++) {
                Thread.State state = threads.get(i).getState();
                settled &= results.get(i).isDone() || state == Thread.State.WAITING
                        || state == Thread.State.TIMED_WAITING;
            }
            if (settled) {
                return;
            }
            Thread.sleep(10);
        }
    }

    private static Throwable failure(Future<Object> result) throws InterruptedException {
        try {
            result.get(60, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("a write did not finish", e);
        }
    }

    private static void assertFailsWith(Future<Object> result, String mention) throws InterruptedException {
        Throwable e = failure(result);
        assertInstanceOf(DataAccessException.class, e, "the write failed with the database's error");
        assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains(mention.toLowerCase())
                        || String.valueOf(e.getCause()).toLowerCase().contains(mention.toLowerCase()),
                () -> "the error names " + mention + ": " + e);
    }

    @Test
    void aWriteInsideATransactionOnTheDatabasesOwnContextStillFailsAtOnce() {
        if (backend != Backend.SQLITE) {
            return; // PostgreSQL has no write lock to wait for
        }
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> chat.dsl().transaction(tx -> chat.recordTimeout("inside", "x", 1)));
        assertEquals(FoundupsDbException.ErrorCode.BUSY, e.errorCode());
    }
}
