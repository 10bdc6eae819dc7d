package dev.foundups.db.internal.moves;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.Tables;

/**
 * The move journal on both dialects: the table exists everywhere (the shared changelog), moves refuse a SQLite
 * database naming the setting, and on PostgreSQL the journal keeps a move's steps and one process at a time holds
 * a name's move lock.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class MoveJournalTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    @Test
    void theJournalRecordsStepsAndOneProcessAtATimeHoldsAMove() {
        try (FoundupsDb db = backend.open(dir)) {
            assertTrue(Tables.names(db).contains("foundupsdb_moves"), Tables.names(db)::toString);
            if (backend == Backend.SQLITE) {
                FoundupsDbException e = assertThrows(FoundupsDbException.class,
                        () -> new Moves(null, db.dsl(), getClass().getClassLoader())); // refused before the rest
                assertEquals(ErrorCode.CONFIGURATION, e.errorCode());
                assertTrue(e.getMessage().contains("DATABASE_URL"), e.getMessage());
                return;
            }
            MoveJournal journal = new MoveJournal(db.dsl());
            MoveJournal.Entry entry = journal.start("FOUNDUP", "x", "main", "s2", MoveJournal.Method.LOGICAL);
            assertEquals(Step.PLANNED, entry.step());
            assertFalse(entry.stepDone(), "a fresh move has not done its first step");
            journal.step(entry, Step.SYNCED, true);
            assertEquals(List.of("SYNCED"), journal.unfinished("FOUNDUP", "x").stream()
                    .map(e -> e.step().name()).toList());
            try (MoveJournal.Lock lock = journal.lock("FOUNDUP", "x")) {
                FoundupsDbException busy = assertThrows(FoundupsDbException.class, () -> journal.lock("FOUNDUP", "x"));
                assertEquals(ErrorCode.TRANSFER, busy.errorCode());
            }
            journal.lock("FOUNDUP", "x").close();
            journal.finish(entry, MoveJournal.DONE);
            assertTrue(journal.unfinished("FOUNDUP", "x").isEmpty());
            assertEquals("DONE", journal.history("FOUNDUP", "x").get(0).getState());
        }
    }
}
