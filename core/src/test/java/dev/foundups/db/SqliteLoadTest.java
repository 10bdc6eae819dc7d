package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.ChildJvm;
import dev.foundups.db.testing.LoadWorkload;
import dev.foundups.db.testing.LoadWorkload.WriterLog;

/**
 * SQLite under load from two processes: 8 writer and 8 reader threads here, and as many in a child JVM, on one
 * file. No caller may see an exception (SQLITE_BUSY above all), and every acknowledged write must be in the file.
 *
 * <p>Runs {@value #DEFAULT_SECONDS} s by default; {@code -Dfoundups.load.seconds=N} runs longer.
 */
class SqliteLoadTest {

    static final int DEFAULT_SECONDS = 4;
    static final int WRITERS = 8;
    static final int READERS = 8;

    @TempDir
    Path dir;

    @Test
    void twoProcessesOfWritersAndReadersLoseNothingAndSeeNoError() throws Exception {
        Duration duration = Duration.ofSeconds(Long.getLong("foundups.load.seconds", DEFAULT_SECONDS));
        String url = Backend.SQLITE.newDatabaseUrl(dir);
        List<WriterLog> acknowledged = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        List<Long> reads = new ArrayList<>();
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open();
             ChildJvm child = ChildJvm.start(LoadWorkload.class, List.of(url, "child", String.valueOf(WRITERS),
                     String.valueOf(READERS), String.valueOf(duration.toMillis())))) {
            child.awaitLine("READY"::equals, Duration.ofSeconds(120));
            LoadWorkload.Result here = LoadWorkload.run(db, "parent", WRITERS, READERS, duration);
            assertEquals(0, child.waitFor(Duration.ofSeconds(120) .plus(duration)), child.stderr());
            acknowledged.addAll(here.writers());
            errors.addAll(here.errors());
            reads.addAll(here.reads());
            child.linesStartingWith("WRITER").forEach(words -> acknowledged.add(WriterLog.parse(words)));
            child.linesStartingWith("ERROR").forEach(words -> errors.add("child " + String.join(" ", words)));
            child.linesStartingWith("READS").forEach(words -> words.forEach(w -> reads.add(Long.parseLong(w))));
            assertTrue(child.lines().contains("DONE"), child.lines() + child.stderr());
        }
        assertEquals(List.of(), errors, "exceptions seen by callers");
        assertEquals(2 * WRITERS, acknowledged.size());
        assertEquals(2 * READERS, reads.size());
        assertTrue(reads.stream().allMatch(n -> n > 0), "every reader got through: " + reads);

        // Reopened after both processes closed: everything acknowledged is in the file, and nothing else.
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            long total = 0;
            for (WriterLog log : acknowledged) {
                assertTrue(log.timeouts > 0 && log.transactions > 0 && log.sightings > 0, log.toLine());
                assertEquals(log.toLine(), LoadWorkload.stored(db, log.name).toLine(), "count and checksum");
                total += log.timeouts;
            }
            assertEquals(total, db.module("chat_rules").dsl().fetchCount(
                    dev.foundups.db.jooq.Tables.CHAT_RULES_TIMEOUTS));
            System.out.println("load: " + total + " timeouts acknowledged by " + acknowledged.size() + " writers, "
                    + reads.stream().mapToLong(Long::longValue).sum() + " reads, in " + duration.toSeconds() + " s");
        }
    }
}
