package dev.foundups.db.internal.moves;

import static dev.foundups.db.jooq.Tables.FOUNDUP_CONTENT;
import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.foundups.db.FoundUp;
import dev.foundups.db.NamespaceKind;

/**
 * Online moves between real servers with {@code wal_level = logical}: under a steady writer, and with the source
 * down during the cleanup.
 */
@Timeout(300)
class OnlineMoveTest {

    private MoveFixture f;

    @BeforeEach
    void fixture() throws Exception {
        f = new MoveFixture();
    }

    @Test
    void aNamespaceMovesOnlineUnderAWriterWithoutLosingOrDoublingAnAcknowledgedRow() throws Exception {
        int seeded = 100_000;
        f.foundUp("main", "big", seeded);
        Moves.Report report;
        MoveWriter writer = new MoveWriter(f.servers.db("main").foundUp("big").dsl(),
                () -> f.servers.db("s2").foundUp("big").dsl(), f.flipped("FOUNDUP:big"));
        try (writer) {
            Thread.sleep(300);
            report = f.moves.move(NamespaceKind.FOUNDUP, "big", "s2");
            Thread.sleep(300);
            writer.stop();
        }

        assertEquals("LOGICAL", report.method());
        int written = writer.acknowledged().size();
        assertEquals(seeded + written, f.count("s2", "SELECT count(*) FROM foundups_big_content"),
                "every row once on the target");
        assertEquals(written, f.count("s2", "SELECT count(*) FROM foundups_big_content WHERE content LIKE 'w%' "
                + "AND id = ANY (" + writer.idArray() + ")"), "each acknowledged row");
        writer.assertSequenceContinued();
        f.assertGoneFrom("main", "big");
        f.assertNoReplicationObjectsAt("main");
        f.assertNoReplicationObjectsAt("s2");
        f.assertPlaced(Moves.FOUNDUP, "big", "s2");
        assertEquals("ready", f.servers.query("s2", "SELECT state FROM foundupsdb_namespaces WHERE name = 'big'"));
        System.out.printf("online move: rows=%d (seeded %d, written during the move %d), total=%d ms, freeze=%d ms,"
                + " writer pause=%d ms%n", report.rows(), seeded, written, report.total().toMillis(),
                report.freeze().toMillis(), writer.pauseMillis());
    }

    @Test
    void aSourceDownDuringTheCleanupLeavesARecordedSlotAndTheMoveSucceeds() throws Exception {
        f.foundUp("s2", "orphan", 500);
        String before = f.contentSum("s2", "orphan");
        Moves stopping = f.moves.withHook((label, step, point) -> {
            if (step == Step.FLIPPED && point == MoveContext.Point.DONE) {
                f.servers.stop("s2");
            }
        });
        Moves.Report report;
        try {
            report = stopping.move(NamespaceKind.FOUNDUP, "orphan", "main");
            assertEquals("fdbmove_foundups_orphan", report.orphanSlot());
            assertTrue(report.sourceLeft());
            f.assertPlaced(Moves.FOUNDUP, "orphan", "main");
            assertEquals(before, f.contentSum("main", "orphan"));
            assertEquals(0, f.count("main", "SELECT count(*) FROM pg_subscription"));
            List<String> left = f.moves.dropLeftovers();
            assertEquals(1, left.size(), left::toString);
            assertTrue(left.get(0).contains("fdbmove_foundups_orphan") && left.get(0).contains("cannot be reached"),
                    left.get(0));
        } finally {
            f.servers.start("s2");
        }
        assertEquals(1, f.count("s2", "SELECT count(*) FROM pg_replication_slots "
                + "WHERE slot_name = 'fdbmove_foundups_orphan'"), "the slot waits for the source");
        assertEquals(List.of(), f.moves.dropLeftovers());
        f.assertGoneFrom("s2", "orphan");
        assertEquals(List.of(), f.moves.dropLeftovers(), "nothing left to do");
    }

    @Test
    void aFailedMoveKeepsItsErrorAndAMoveElsewhereRollsItBackFirst() throws Exception {
        f.foundUp("main", "redirected", 300);
        String before = f.contentSum("main", "redirected");
        Moves failing = f.moves.withHook((label, step, point) -> {
            if (step == Step.SYNCED && point == MoveContext.Point.DONE) {
                throw new IllegalStateException("injected failure");
            }
        });
        assertThrows(IllegalStateException.class, () -> failing.move(NamespaceKind.FOUNDUP, "redirected", "s2"));
        MoveJournal journal = new MoveJournal(f.servers.db("main").dsl());
        assertEquals("RUNNING/injected failure", journal.history(Moves.FOUNDUP, "redirected").get(0).getState() + "/"
                + journal.history(Moves.FOUNDUP, "redirected").get(0).getLastError());

        Moves.Report report = f.moves.move(NamespaceKind.FOUNDUP, "redirected", "s3");

        assertEquals("main", report.source());
        assertEquals(before, f.contentSum("s3", "redirected"));
        f.assertPlaced(Moves.FOUNDUP, "redirected", "s3");
        f.assertGoneFrom("s2", "redirected");
        f.assertGoneFrom("main", "redirected");
        assertEquals(List.of("DONE", "ROLLED_BACK"), journal.history(Moves.FOUNDUP, "redirected").stream()
                .map(r -> r.getState()).toList());
    }

    @Test
    void theFreezeGivesWayToAWriterTransactionThatHoldsOneTableAndWantsTheOther() throws Exception {
        FoundUp source = f.foundUp("main", "crossing", 100);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch freezing = new CountDownLatch(1);
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                // users first, then content: the other order than a freeze's, which takes content first
                source.dsl().transaction(tx -> {
                    tx.dsl().insertInto(FOUNDUP_USERS).set(FOUNDUP_USERS.ID, "crosser").execute();
                    holding.countDown();
                    freezing.await();
                    Thread.sleep(100); // the freeze holds content and waits for users now
                    tx.dsl().insertInto(FOUNDUP_CONTENT).set(FOUNDUP_CONTENT.USER_ID, "crosser")
                            .set(FOUNDUP_CONTENT.CONTENT, "crossed").execute();
                });
            } catch (RuntimeException e) {
                writerFailure.set(e);
            }
        }, "crossing-writer");
        Moves.Report report = f.moves.withHook((label, step, point) -> {
            // The transaction begins once the slot exists: creating a slot waits for running transactions.
            if (step == Step.SYNCED && point == MoveContext.Point.DONE) {
                writer.start();
                await(holding);
            } else if (step == Step.FENCED && point == MoveContext.Point.START) {
                freezing.countDown();
            }
        }).move(NamespaceKind.FOUNDUP, "crossing", "s2");
        writer.join(30_000);

        assertNull(writerFailure.get(), () -> "the writer's transaction failed: " + writerFailure.get());
        assertEquals(1, f.count("s2", "SELECT count(*) FROM foundups_crossing_content WHERE content = 'crossed'"));
        assertEquals("LOGICAL", report.method());
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
