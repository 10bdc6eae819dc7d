package dev.foundups.db;

import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.testing.Backend;

/** What readers and writers see of each other: the same on both dialects. */
@ParameterizedClass
@EnumSource(Backend.class)
class WriteDisciplineTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    FoundupsDb db;

    @BeforeEach
    void open() {
        db = backend.open(dir);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aTransactionReadsItsOwnWritesAndOthersSeeThemOnlyAfterCommit() {
        int seenInside = db.dsl().transactionResult(tx -> {
            DSLContext t = tx.dsl();
            t.insertInto(AGENTS_MEMORY).set(AGENTS_MEMORY.AGENT_ID, "a1").set(AGENTS_MEMORY.PATTERN_TYPE, "p")
                    .execute();
            t.update(AGENTS_MEMORY).set(AGENTS_MEMORY.PATTERN_TYPE, "q").where(AGENTS_MEMORY.AGENT_ID.eq("a1"))
                    .execute();
            int outside = CompletableFuture.supplyAsync(() -> db.agents().patterns("a1").size()).join();
            assertEquals(0, outside, "another connection sees nothing before commit");
            return t.fetchCount(AGENTS_MEMORY, AGENTS_MEMORY.PATTERN_TYPE.eq("q"));
        });
        assertEquals(1, seenInside);
        assertEquals("q", db.agents().patterns("a1").get(0).getPatternType());
    }

    @Test
    void readersAreNotBlockedByAnOpenWriteTransaction() throws Exception {
        db.agents().learnPattern("a1", "before", "{}");
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch readerDone = new CountDownLatch(1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> db.dsl().transaction(tx -> {
            tx.dsl().insertInto(AGENTS_MEMORY).set(AGENTS_MEMORY.AGENT_ID, "a1")
                    .set(AGENTS_MEMORY.PATTERN_TYPE, "uncommitted").execute();
            written.countDown();
            // Hold the transaction open until the reader is through (or give up after a while).
            readerDone.await(20, TimeUnit.SECONDS);
        }));
        written.await(20, TimeUnit.SECONDS);
        long start = System.nanoTime();
        var seen = CompletableFuture.supplyAsync(() -> db.agents().patterns("a1")).get(5, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        readerDone.countDown();
        writer.get(20, TimeUnit.SECONDS);
        assertEquals(1, seen.size(), "the reader sees the committed state only");
        assertEquals("before", seen.get(0).getPatternType());
        assertEquals(2, db.agents().patterns("a1").size());
        System.out.println(backend + ": read during an open write transaction took " + millis + " ms");
    }
}
