package dev.foundups.db.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.modules.chatrules.ChatRules;
import dev.foundups.db.testing.Backend;

/** SQLite to PostgreSQL and back to a new SQLite file: the way back works too, and loses nothing. */
class RoundTripTest {

    @TempDir
    Path dir;

    @Test
    void sqliteToPostgresqlAndBackGivesTheSameDatabase() throws Exception {
        String source = CopySource.create(dir, 3_000);
        String postgres = Backend.POSTGRESQL.newDatabaseUrl(dir);
        String back = "jdbc:sqlite:" + dir.resolve("back.db");
        assertTrue(DatabaseCopy.from(source).to(postgres).load().run().verified());
        CopyReport report = DatabaseCopy.from(postgres).to(back).load().run();
        assertTrue(report.verified(), report.mismatches().toString());

        // Comparing the first and the last directly, across two copies: equal.
        assertTrue(DatabaseCopy.from(source).to(back).load().verify().verified());

        try (FoundupsDb a = FoundupsDb.configure().databaseUrl(source).open();
             FoundupsDb b = FoundupsDb.configure().databaseUrl(back).open()) {
            assertEquals(a.catalog().list(), b.catalog().list());
            for (String id : List.of("youtube_bot", "big_ids", "many_rows")) {
                FoundUp x = a.foundUp(id);
                FoundUp y = b.foundUp(id);
                assertEquals(x.users(), y.users(), id);
                assertEquals(x.content(), y.content(), id);
            }
            assertEquals(ChatRules.of(a).timeoutsFor("troll3"), ChatRules.of(b).timeoutsFor("troll3"));
            assertEquals(a.agents().patterns("agent_a"), b.agents().patterns("agent_a"));
            assertEquals(CopySource.BIG_ID + 1, b.foundUp("big_ids").addContent("u", "next", (String) null));
        }
    }
}
