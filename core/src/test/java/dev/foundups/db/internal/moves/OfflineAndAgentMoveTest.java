package dev.foundups.db.internal.moves;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.foundups.db.AgentMemory;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * Offline moves (a source whose WAL is not logical, or forced), agent moves and a drain, on real f.servers.
 */
@Timeout(300)
class OfflineAndAgentMoveTest {

    private MoveFixture f;

    @BeforeEach
    void fixture() throws Exception {
        f = new MoveFixture();
    }

    @Test
    void aSourceWithoutLogicalWalMovesOfflineWithVerifiedRowsAndSaysSo() throws Exception {
        f.foundUp("s3", "cold", 5_000);
        String before = f.contentSum("s3", "cold");

        Moves.Report report = f.moves.move(NamespaceKind.FOUNDUP, "cold", "main");

        assertEquals("OFFLINE", report.method());
        assertTrue(report.note().contains("wal_level = replica"), report.note());
        assertEquals(5_001, report.rows(), "content and users rows");
        assertEquals(before, f.contentSum("main", "cold"));
        f.assertGoneFrom("s3", "cold");
        f.assertPlaced(Moves.FOUNDUP, "cold", "main");
        long next = f.servers.db("main").foundUp("cold").addContent("u", "after", (String) null);
        assertEquals(5_001, next, "the sequence continues where the source's was");
    }

    @Test
    void aForcedOfflineMoveUnderAWriterLosesNothing() throws Exception {
        f.foundUp("main", "forced", 20_000);
        CountDownLatch flipped = f.flipped("FOUNDUP:forced");
        Moves.Report report;
        MoveWriter writer = new MoveWriter(f.servers.db("main").foundUp("forced").dsl(),
                () -> f.servers.db("s2").foundUp("forced").dsl(), flipped);
        try (writer) {
            Thread.sleep(200);
            report = f.moves.forceOffline(true).move(NamespaceKind.FOUNDUP, "forced", "s2");
            Thread.sleep(200);
            writer.stop();
        }
        assertEquals("OFFLINE", report.method());
        assertTrue(report.note().contains("forced"), report.note());
        int written = writer.acknowledged().size();
        assertEquals(20_000 + written, f.contentRows("s2", "forced"));
        assertEquals(written, f.count("s2", "SELECT count(*) FROM foundups_forced_content WHERE id = ANY ("
                + writer.idArray() + ")"));
        writer.assertSequenceContinued();
        f.assertGoneFrom("main", "forced");
        System.out.printf("offline move: rows=%d, total=%d ms, freeze=%d ms, writer pause=%d ms%n", report.rows(),
                report.total().toMillis(), report.freeze().toMillis(), writer.pauseMillis());
    }

    @Test
    void anAgentsRowsMoveAndKeepTheirIdsWhereTheyAreFree() throws Exception {
        AgentMemory source = f.servers.db("main").agents();
        source.recordAwakening("mover-agent", "0102", "koan");
        List<Long> ids = List.of(source.learnPattern("mover-agent", "fix", "{\"a\": 1}"),
                source.learnPattern("mover-agent", "fix", "{\"a\": 2}"),
                source.learnPattern("mover-agent", "style", "[1, 2]"));
        source.learnPattern("other-agent", "fix", "{\"stays\": true}");
        f.directory.place(Moves.AGENT, "mover-agent", "main");

        Moves.Report report = f.moves.moveAgent("mover-agent", "s2");

        assertEquals("OFFLINE", report.method());
        assertEquals(4, report.rows());
        f.assertPlaced(Moves.AGENT, "mover-agent", "s2");
        AgentMemory target = f.servers.db("s2").agents();
        assertEquals("koan", target.awakening("mover-agent").orElseThrow().getLastKoan());
        List<Long> moved = target.patterns("mover-agent").stream().map(r -> r.getId()).toList();
        if (report.note() == null) {
            assertEquals(ids, moved, "ids kept");
        } else {
            assertEquals(3, moved.size(), report.note());
        }
        assertEquals(List.of("{\"a\":1}", "{\"a\":2}", "[1,2]"), target.patterns("mover-agent").stream()
                .map(r -> r.getPatternData().data()).toList(), "same patterns, same order");
        assertTrue(source.patterns("mover-agent").isEmpty());
        assertTrue(source.awakening("mover-agent").isEmpty());
        assertEquals(1, source.patterns("other-agent").size(), "other agents stay");
        long fresh = target.learnPattern("someone", "fix", "{}");
        assertTrue(fresh > moved.get(moved.size() - 1), "the target's sequence went past the kept ids");
    }

    @Test
    void theShardAnAgentLeftRefusesItsWritesUntilItComesBack() throws Exception {
        AgentMemory s3 = f.servers.db("s3").agents();
        s3.learnPattern("roamer", "fix", "{\"n\": 1}");
        s3.learnPattern("homebody", "fix", "{\"n\": 1}");
        f.directory.place(Moves.AGENT, "roamer", "s3");

        f.moves.moveAgent("roamer", "s2");

        // What a process with a stale copy of the directory would send to the old shard.
        SQLException refused = assertThrows(SQLException.class, () -> f.servers.execute("s3",
                "INSERT INTO agents_memory (agent_id, pattern_type) VALUES ('roamer', 'late')"));
        assertEquals(Moves.AGENT_FENCED, refused.getSQLState());
        assertTrue(refused.getMessage().contains("agent roamer was moved to shard s2"), refused.getMessage());
        DataAccessException viaApi = assertThrows(DataAccessException.class,
                () -> s3.recordAwakening("roamer", "0201"));
        assertEquals(Moves.AGENT_FENCED, viaApi.sqlState());
        assertEquals(0, f.count("s3", "SELECT count(*) FROM agents_memory WHERE agent_id = 'roamer'"));
        assertEquals(0, f.count("s3", "SELECT count(*) FROM agents_awakening WHERE agent_id = 'roamer'"));
        s3.learnPattern("homebody", "fix", "{\"n\": 2}");
        assertEquals(2, s3.patterns("homebody").size(), "other agents write on as before");

        f.moves.moveAgent("roamer", "s3");

        f.assertPlaced(Moves.AGENT, "roamer", "s3");
        s3.learnPattern("roamer", "fix", "{\"n\": 2}");
        assertEquals(List.of("{\"n\":1}", "{\"n\":2}"), s3.patterns("roamer").stream()
                .map(r -> r.getPatternData().data()).toList(), "back home, it writes there again");
        SQLException away = assertThrows(SQLException.class, () -> f.servers.execute("s2",
                "INSERT INTO agents_memory (agent_id, pattern_type) VALUES ('roamer', 'late')"));
        assertEquals(Moves.AGENT_FENCED, away.getSQLState(), "and the shard it left now refuses it");
    }

    @Test
    void anAgentWhosePatternIdsAreTakenOnTheTargetGetsNewIdsInTheSameOrder() throws Exception {
        AgentMemory source = f.servers.db("s3").agents();
        AgentMemory target = f.servers.db("main").agents();
        long id = source.learnPattern("crowded", "p", "{\"n\": 1}");
        source.learnPattern("crowded", "p", "{\"n\": 2}");
        f.servers.execute("main", "INSERT INTO agents_memory (id, agent_id, pattern_type) VALUES (" + id
                + ", 'occupant', 'p') ON CONFLICT DO NOTHING");
        f.servers.query("main", "SELECT setval(pg_get_serial_sequence('agents_memory', 'id'), "
                + "(SELECT max(id) FROM agents_memory))");
        f.directory.place(Moves.AGENT, "crowded", "s3");

        Moves.Report report = f.moves.moveAgent("crowded", "main");

        assertTrue(report.note().contains("new ids"), String.valueOf(report.note()));
        assertEquals(List.of("{\"n\":1}", "{\"n\":2}"), target.patterns("crowded").stream()
                .map(r -> r.getPatternData().data()).toList());
        assertTrue(source.patterns("crowded").isEmpty());
        assertEquals(1, f.count("main", "SELECT count(*) FROM agents_memory WHERE id = " + id),
                "the occupant keeps its id");
    }

    @Test
    void drainingAShardMovesEveryPlacementOffIt() throws Exception {
        f.foundUp("s3", "drain_a", 300);
        f.foundUp("s3", "drain_b", 200);
        f.servers.db("s3").agents().learnPattern("drain-agent", "fix", "{\"n\": 1}");
        f.directory.place(Moves.AGENT, "drain-agent", "s3");

        List<Moves.Report> reports = f.moves.drain("s3");

        assertTrue(reports.stream().map(Moves.Report::name).toList()
                .containsAll(List.of("drain_a", "drain_b", "drain-agent")), reports::toString);
        assertEquals(List.of(), f.directory.placementsOn("s3"));
        assertEquals(300, f.contentRows("main", "drain_a"));
        assertEquals(200, f.contentRows("main", "drain_b"));
        f.assertGoneFrom("s3", "drain_a");
        f.assertGoneFrom("s3", "drain_b");
        assertEquals(1, f.servers.db("main").agents().patterns("drain-agent").size());
        assertEquals(List.of(), f.moves.drain("s3"), "a drained shard has nothing left to move");
    }

    @Test
    void aMoveRefusesASqliteShardNamingTheSetting() {
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> new ShardEndpoint("lite", DatabaseUrl.parse("sqlite:///data/x.db", "DATABASE_URL")));
        assertEquals(FoundupsDbException.ErrorCode.CONFIGURATION, e.errorCode());
        assertTrue(e.getMessage().contains("DATABASE_URL"), e.getMessage());
    }

    @Test
    void aNameWithoutAPlacementIsRefused() {
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> f.moves.move(NamespaceKind.FOUNDUP, "nowhere", "s2"));
        assertEquals(FoundupsDbException.ErrorCode.INVALID_INPUT, e.errorCode());
        assertNull(f.directory.placement(Moves.FOUNDUP, "nowhere"));
    }
}
