package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jooq.JSON;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.jooq.tables.records.AgentsAwakeningRecord;
import dev.foundups.db.jooq.tables.records.AgentsMemoryRecord;
import dev.foundups.db.testing.Backend;

@ParameterizedClass
@EnumSource(Backend.class)
class AgentMemoryTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    FoundupsDb db;
    AgentMemory agents;

    @BeforeEach
    void open() {
        db = backend.open(dir);
        agents = db.agents();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void recordsAnAwakeningAndReplacesItOnTheNext() {
        Instant before = Instant.now().minusMillis(1);
        agents.recordAwakening("error-learning-agent", "0102", "What is the sound of one hand?");
        AgentsAwakeningRecord first = agents.awakening("error-learning-agent").orElseThrow();
        assertEquals("0102", first.getConsciousnessLevel());
        assertEquals("What is the sound of one hand?", first.getLastKoan());
        assertTrue(!first.getAwakeningTimestamp().isBefore(before.minusMillis(1)),
                "timestamp " + first.getAwakeningTimestamp() + " is before the call at " + before);

        agents.recordAwakening("error-learning-agent", "0201");
        AgentsAwakeningRecord second = agents.awakening("error-learning-agent").orElseThrow();
        assertEquals("0201", second.getConsciousnessLevel());
        assertNull(second.getLastKoan(), "the protocol replaces the whole state, koan included");
        assertEquals(1, db.dsl().fetchCount(dev.foundups.db.jooq.Tables.AGENTS_AWAKENING));
        assertTrue(agents.awakening("nobody").isEmpty());
    }

    @Test
    void learnPatternReturnsTheNewIdAndKeepsTheJson() {
        long first = agents.learnPattern("agent123", "error_fix", JSON.valueOf("{\"pattern\": 1, \"tags\": [\"a\"]}"));
        long second = agents.learnPattern("agent123", "style", "{\"pattern\": 2}");
        long third = agents.learnPattern("agent999", "error_fix", "[1, 2, 3]");
        assertTrue(first > 0 && second > first && third > second, first + ", " + second + ", " + third);

        List<AgentsMemoryRecord> all = agents.patterns("agent123");
        assertEquals(List.of(first, second), all.stream().map(AgentsMemoryRecord::getId).toList());
        assertEquals("{\"pattern\":1,\"tags\":[\"a\"]}", all.get(0).getPatternData().data(),
                "stored in one compact form on every dialect");
        assertEquals(List.of(second), agents.patterns("agent123", "style").stream().map(AgentsMemoryRecord::getId).toList());
        assertTrue(all.get(0).getLearnedAt().isAfter(Instant.now().minus(Duration.ofMinutes(1))),
                "learned_at comes from the column default: " + all.get(0).getLearnedAt());
    }

    @Test
    void malformedJsonIsRefusedWithItsPositionAndNothingIsStored() {
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> agents.learnPattern("agent123", "error_fix", "{\"pattern\": 1,\n \"tags\": [\"a\" }"));
        assertEquals(FoundupsDbException.ErrorCode.INVALID_INPUT, e.errorCode());
        assertTrue(e.getMessage().startsWith("pattern_data is not valid JSON at line 2"), e.getMessage());
        assertThrows(FoundupsDbException.class, () -> agents.learnPattern("a", "t", "{} {}"));
        assertThrows(FoundupsDbException.class, () -> agents.recordError("h", "t", "not json"));
        assertEquals(0, db.dsl().fetchCount(dev.foundups.db.jooq.Tables.AGENTS_MEMORY));
        assertEquals(0, db.dsl().fetchCount(dev.foundups.db.jooq.Tables.AGENTS_ERRORS));
    }

    @Test
    void recordErrorCountsRepeatsAndKeepsTheFirstSolution() {
        assertEquals(1, agents.recordError("h1", "KeyError", "{\"fix\": \"check key\"}"));
        assertEquals(2, agents.recordError("h1", "KeyError", "{\"fix\": \"other\"}"));
        assertEquals(1, agents.recordError("h2", "TypeError", JSON.valueOf("{}")));
        assertEquals(3, agents.recordError("h1", "KeyError", "{\"fix\": \"third\"}"));
        var h1 = agents.error("h1").orElseThrow();
        assertEquals(3, h1.getOccurrences());
        assertEquals("{\"fix\":\"check key\"}", h1.getSolution().data());
        assertEquals("KeyError", h1.getErrorType());
        assertTrue(agents.error("h3").isEmpty());
    }

    @Test
    void concurrentRepeatsOfOneErrorAreAllCounted() throws Exception {
        int threads = 4;
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        agents.recordError("shared", "KeyError", "{}");
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(threads * each, agents.error("shared").orElseThrow().getOccurrences());
    }
}
