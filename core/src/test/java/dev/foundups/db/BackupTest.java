package dev.foundups.db;

import static dev.foundups.db.jooq.Tables.CHAT_RULES_MODERATORS;
import static dev.foundups.db.jooq.Tables.CHAT_RULES_TIMEOUTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.modules.chatrules.ChatRules;
import dev.foundups.db.testing.Backend;

/**
 * Online backup and restore, on both dialects: a backup taken under load holds one point in time and everything
 * committed before it began, and restoring it gives back exactly that state. Each restore here goes into a new,
 * empty database; replacing a live SQLite file is in {@link SqliteBackupTest}.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class BackupTest {

    static final int WRITERS = 3;

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    @Test
    void aBackupTakenUnderLoadIsOnePointInTimeWithEverythingCommittedBefore() throws Exception {
        Path file = dir.resolve("backups/under-load.bak");
        Set<Long> committedBefore;
        int committedInAll;
        BackupResult result;
        try (FoundupsDb db = backend.open(dir)) {
            ChatRules chat = ChatRules.of(db);
            ConcurrentLinkedQueue<Long> committed = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> writers = new ArrayList<>();
            List<Throwable> errors = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                String mod = "m" + w;
                chat.upsertModerator(mod, mod, 0, null);
                Thread t = new Thread(() -> {
                    try {
                        for (int seq = 0; !stop.get(); seq++) {
                            committed.add(moveOneToTheTimeouts(chat, mod, seq));
                        }
                    } catch (Throwable e) {
                        synchronized (errors) {
                            errors.add(e);
                        }
                    }
                });
                writers.add(t);
                t.start();
            }
            Thread.sleep(400);
            committedBefore = new HashSet<>(committed);
            result = db.backup(file);
            Thread.sleep(300);
            stop.set(true);
            for (Thread t : writers) {
                t.join();
            }
            assertEquals(List.of(), errors, "writers saw errors");
            committedInAll = committed.size();
            assertTrue(committedInAll > committedBefore.size(), "writers went on during and after the backup");
        }
        assertEquals(file, result.file());
        assertEquals(Files.size(file), result.bytes());
        assertTrue(committedBefore.size() > 0);

        String restored = backend.newDatabaseUrl(dir.resolve("restored"));
        FoundupsDb.configure().databaseUrl(restored).restore(file);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(restored).open()) {
            DSLContext dsl = ChatRules.of(db).dsl();
            Set<Long> ids = new HashSet<>(dsl.select(CHAT_RULES_TIMEOUTS.ID).from(CHAT_RULES_TIMEOUTS)
                    .fetch(CHAT_RULES_TIMEOUTS.ID));
            Set<Long> missing = new HashSet<>(committedBefore);
            missing.removeAll(ids);
            assertEquals(Set.of(), missing, "committed before the backup began, missing from it");
            assertTrue(ids.size() <= committedInAll);
            // Each transaction added a timeout and a point together: one point in time has them equal.
            var points = dsl.select(CHAT_RULES_MODERATORS.ID, CHAT_RULES_MODERATORS.POINTS,
                            DSL.selectCount().from(CHAT_RULES_TIMEOUTS)
                                    .where(CHAT_RULES_TIMEOUTS.MOD_ID.eq(CHAT_RULES_MODERATORS.ID)).asField("n"))
                    .from(CHAT_RULES_MODERATORS).fetch();
            assertEquals(WRITERS, points.size());
            for (var row : points) {
                assertEquals(row.value2().intValue(), ((Number) row.value3()).intValue(),
                        "timeouts and points of " + row.value1());
            }
        }
    }

    private static long moveOneToTheTimeouts(ChatRules chat, String mod, int seq) {
        return chat.dsl().transactionResult(tx -> {
            long id = tx.dsl().insertInto(CHAT_RULES_TIMEOUTS).set(CHAT_RULES_TIMEOUTS.MOD_ID, mod)
                    .set(CHAT_RULES_TIMEOUTS.TARGET, mod + "-" + seq).set(CHAT_RULES_TIMEOUTS.DURATION, seq)
                    .returningResult(CHAT_RULES_TIMEOUTS.ID).fetchSingle().value1();
            tx.dsl().update(CHAT_RULES_MODERATORS).set(CHAT_RULES_MODERATORS.POINTS,
                    CHAT_RULES_MODERATORS.POINTS.plus(1)).where(CHAT_RULES_MODERATORS.ID.eq(mod)).execute();
            return id;
        });
    }

    @Test
    void restoringGivesBackExactlyTheBackedUpState() {
        Path file = dir.resolve("state.bak");
        try (FoundupsDb db = backend.open(dir)) {
            db.agents().learnPattern("agent", "kept", "{\"n\":1}");
            db.foundUp("early").addUser("u1", "Early");
            db.backup(file);
            db.agents().learnPattern("agent", "after", "{\"n\":2}");
            db.foundUp("later").addUser("u2", "Later");
        }
        String restored = backend.newDatabaseUrl(dir.resolve("restored"));
        FoundupsDb.configure().databaseUrl(restored).restore(file);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(restored).open()) {
            assertEquals(List.of("kept"), db.agents().patterns("agent").stream().map(p -> p.getPatternType())
                    .toList());
            assertEquals("Early", db.foundUp("early").user("u1").orElseThrow().getUsername());
            assertFalse(db.namespaces().stream().anyMatch(n -> n.name().equals("later")));
            // The catalog and the tables agree: the FoundUp made after the backup can be made again.
            db.foundUp("later").addUser("u3", "Again");
            assertEquals(1, db.foundUp("later").users().size());
        }
    }

    @Test
    void aBackupNeverOverwritesAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("precious.bak"), "an older backup");
        try (FoundupsDb db = backend.open(dir)) {
            FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> db.backup(file));
            assertEquals(ErrorCode.BACKUP, e.errorCode());
            assertTrue(e.getMessage().contains(file + " already exists"), e.getMessage());
        }
        assertEquals("an older backup", Files.readString(file));
    }

    @Test
    void restoringAFileThatIsNotABackupIsRefusedAndChangesNothing() throws Exception {
        Path bogus = Files.writeString(dir.resolve("notes.txt"), "these are not the rows you are looking for\n");
        Path folder = Files.createDirectories(dir.resolve("target"));
        String target = backend.newDatabaseUrl(folder);
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> FoundupsDb.configure().databaseUrl(target).restore(bogus));
        assertEquals(ErrorCode.BACKUP, e.errorCode());
        assertTrue(e.getMessage().contains(bogus.toString()), e.getMessage());
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(target).open()) {
            assertTrue(db.namespaces().isEmpty(), "the target is still a new, empty database");
        }
    }
}
