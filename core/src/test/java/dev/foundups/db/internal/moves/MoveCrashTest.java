package dev.foundups.db.internal.moves;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.foundups.db.AgentMemory;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.testing.ChildJvm;

/**
 * Moves killed with SIGKILL at every step (at its start, after its work and before the journal says so, and
 * inside the freeze's lock), then run again: exactly one placement is authoritative, with every row, and nothing
 * of the move is left on either shard. Before the flip, a killed move can also be rolled back.
 */
@Timeout(120)
class MoveCrashTest {

    private static final int ROWS = 2_000;

    private MoveFixture f;

    @BeforeEach
    void fixture() throws Exception {
        f = new MoveFixture();
    }

    /** Every point an online move passes, and the points of an offline move that differ from them. */
    static Stream<Arguments> movePoints() {
        List<Arguments> points = new ArrayList<>();
        for (Step step : Step.values()) {
            if (step != Step.DONE) {
                points.add(Arguments.of(step + ":START", false));
                if (step == Step.FENCED) {
                    points.add(Arguments.of(step + ":LOCKED", false));
                }
                points.add(Arguments.of(step + ":DONE", false));
            }
        }
        for (String point : List.of("PROVISIONED:DONE", "FENCED:LOCKED", "FENCED:DONE", "FLIPPED:DONE")) {
            points.add(Arguments.of(point, true));
        }
        return points.stream();
    }

    @ParameterizedTest(name = "{0}, offline {1}")
    @MethodSource("movePoints")
    void aMoveKilledAtAnyPointEndsOnTheTargetWhenRunAgain(String point, boolean offline) throws Exception {
        String name = killedName(offline ? "o" : "k", point);
        f.foundUp("main", name, ROWS);
        String before = f.contentSum("main", name);

        killAt(Moves.FOUNDUP, name, point, offline);
        Moves.Placement afterKill = f.directory.placement(Moves.FOUNDUP, name);
        assertEquals(flippedBy(point) ? "s2" : "main", afterKill.shard(), "the authoritative shard after the kill");

        Moves.Report report = f.moves.move(NamespaceKind.FOUNDUP, name, "s2");

        assertTrue(report.resumed());
        assertEquals(offline ? "OFFLINE" : "LOGICAL", report.method());
        assertEquals(before, f.contentSum("s2", name));
        f.assertPlaced(Moves.FOUNDUP, name, "s2");
        f.assertGoneFrom("main", name);
        f.assertNoReplicationObjects("s2", name);
        assertEquals(0, f.moves.dropLeftovers().size());
        var journal = new MoveJournal(f.servers.db("main").dsl()).history(Moves.FOUNDUP, name);
        assertEquals(1, journal.size(), "one move, resumed");
        assertEquals("DONE/DONE", journal.get(0).getState() + "/" + journal.get(0).getStep());
    }

    @ParameterizedTest
    @MethodSource("rollBackPoints")
    void anOnlineMoveKilledBeforeItsFlipRollsBack(String point) throws Exception {
        String name = killedName("r", point);
        f.foundUp("main", name, ROWS);
        String before = f.contentSum("main", name);
        long epoch = f.directory.placement(Moves.FOUNDUP, name).epoch();

        killAt(Moves.FOUNDUP, name, point, false);

        assertTrue(f.moves.rollBack(NamespaceKind.FOUNDUP, name));
        f.assertPlaced(Moves.FOUNDUP, name, "main");
        assertTrue(f.directory.placement(Moves.FOUNDUP, name).epoch() > epoch, "waiting writers see a new epoch");
        assertEquals(before, f.contentSum("main", name));
        assertEquals(ROWS + 1, f.servers.db("main").foundUp(name).addContent("u", "after", (String) null),
                "the source takes writes again");
        f.assertGoneFrom("s2", name);
        f.assertNoReplicationObjects("main", name);
        assertEquals(MoveJournal.ROLLED_BACK, new MoveJournal(f.servers.db("main").dsl()).history(Moves.FOUNDUP, name)
                .get(0).getState());
    }

    static Stream<String> rollBackPoints() {
        return Stream.of("SUBSCRIBED:DONE", "SYNCED:DONE", "FENCED:LOCKED", "FENCED:DONE");
    }

    @ParameterizedTest
    @MethodSource("agentPoints")
    void anAgentMoveKilledAtAnyPointEndsWithItsRowsOnTheTargetOnly(String point) throws Exception {
        String agent = killedName("agent", point).replace('_', '-');
        AgentMemory source = f.servers.db("main").agents();
        source.recordAwakening(agent, "01");
        for (int i = 0; i < 20; i++) {
            source.learnPattern(agent, "p", "{\"i\": " + i + "}");
        }
        f.directory.place(Moves.AGENT, agent, "main");

        killAt(Moves.AGENT, agent, point, false);
        f.moves.moveAgent(agent, "s2");

        f.assertPlaced(Moves.AGENT, agent, "s2");
        assertEquals(20, f.servers.db("s2").agents().patterns(agent).size());
        assertTrue(f.servers.db("s2").agents().awakening(agent).isPresent());
        assertTrue(source.patterns(agent).isEmpty());
        assertTrue(source.awakening(agent).isEmpty());
    }

    static Stream<String> agentPoints() {
        return Stream.of("MARKED:DONE", "FENCED:LOCKED", "FENCED:DONE", "FLIPPED:DONE", "SOURCE_CLEANED:START");
    }

    /** Runs the move in a child JVM until it reaches the point, then kills it with SIGKILL. */
    private void killAt(String kind, String name, String point, boolean offline) {
        List<String> args = new ArrayList<>(List.of(kind, name, "s2", point, Boolean.toString(offline)));
        f.servers.urls().forEach((shard, url) -> args.add(shard + "=" + url));
        try (ChildJvm child = ChildJvm.start(MoveChild.class, args)) {
            String line = child.awaitLine(l -> l.startsWith("STOPPED") || l.equals("FINISHED"),
                    Duration.ofSeconds(90));
            assertEquals("STOPPED " + point, line, child.stderr());
            child.kill();
        }
    }

    private static boolean flippedBy(String point) {
        Step step = Step.valueOf(point.substring(0, point.indexOf(':')));
        return step.compareTo(Step.FLIPPED) > 0 || point.equals("FLIPPED:DONE");
    }

    private static String killedName(String prefix, String point) {
        return prefix + "_" + point.toLowerCase(Locale.ROOT).replace(':', '_');
    }
}
