package dev.foundups.db;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jooq.JSON;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.testing.Backend;

/** The same calls give the same values on SQLite and PostgreSQL: module code cannot tell them apart. */
class CrossDialectTest {

    @TempDir
    Path dir;

    @Test
    void timestampsAndJsonReadBackIdentically() {
        Instant instant = Instant.parse("2031-07-04T12:34:56.789987Z");
        String json = "{ \"b\": [1, 2.5, true, null], \"a\": \"\u00e9\" }";
        List<Object> seen = new ArrayList<>();
        for (Backend backend : Backend.values()) {
            try (FoundupsDb db = backend.open(dir.resolve(backend.name()))) {
                db.dsl().insertInto(AGENTS_AWAKENING).set(AGENTS_AWAKENING.AGENT_ID, "a")
                        .set(AGENTS_AWAKENING.AWAKENING_TIMESTAMP, instant).execute();
                long id = db.agents().learnPattern("a", "t", JSON.valueOf(json));
                seen.add(List.of(db.agents().awakening("a").orElseThrow().getAwakeningTimestamp(),
                        db.agents().patterns("a").get(0).getPatternData().data(), id));
            }
        }
        assertEquals(List.of(Instant.parse("2031-07-04T12:34:56.789Z"), "{\"b\":[1,2.5,true,null],\"a\":\"\u00e9\"}",
                1L), seen.get(0));
        assertEquals(seen.get(0), seen.get(1));
    }
}
