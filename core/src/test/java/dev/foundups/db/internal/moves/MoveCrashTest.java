package dev.foundups.db.internal.moves;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

import dev.foundups.db.AgentMemory;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.testing.ChildJvm;

/**
 * Moves killed with SIGKILL at every step: at its start (journaled as started, not run), after its work and
 * before the journal says so, and inside the freeze's lock. One child process runs many moves, each stopping at
 * its own point and staying there (holding its connections, locks and open transaction), and is then killed: every
 * move dies at its point at once. Run again, each ends with exactly one placement authoritative, holding every
 * row, and nothing of the move left on either shard; before its flip, a killed move can be rolled back instead.
 */
@Timeout(300)
class MoveCrashTest {

    private static final int ROWS = 2_000;
    /** The first key of a move's advisory lock (MoveJournal's, "FDMV"). */
    private static final int MOVE_LOCK_CLASS = 0x46444d56;

    /** What happens after the kill. */
    private enum After {
        RERUN, ROLL_BACK
    }

    /** One killed move. */
    private record Killed(String kind, String name, String source, String target, String point, boolean offline,
                          After after) {
        String arg() {
            return "move:" + kind + "," + name + "," + target + "," + point + "," + offline;
        }

        @Override
        public String toString() {
            return (offline ? "offline " : "") + kind.toLowerCase(Locale.ROOT) + " killed at " + point + ", then "
                    + after.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    private MoveFixture f;

    @BeforeEach
    void fixture() throws Exception {
        f = new MoveFixture();
    }

    /** Every point an online move passes; the one that holds an open transaction last (see {@link #killAll}). */
    @TestFactory
    Stream<DynamicTest> anOnlineMoveKilledAtAnyPointEndsOnTheTargetWhenRunAgain() throws Exception {
        List<Killed> moves = new ArrayList<>();
        for (Step step : Step.values()) {
            for (String point : step == Step.DONE ? List.<String>of() : List.of("START", "DONE")) {
                moves.add(namespace("k", step + ":" + point, false, After.RERUN));
            }
        }
        moves.add(namespace("k", "FENCED:LOCKED", false, After.RERUN));
        return killAll(moves);
    }

    /**
     * Rolled-back online moves, offline moves and agent moves. Ordered so that no parked move blocks a later one: a
     * slot is only created while no parked transaction holds an id, and an agent's freeze locks its source's agent
     * tables, which the agent moves after it neither lock nor copy into.
     */
    @TestFactory
    Stream<DynamicTest> rolledBackOfflineAndAgentMovesKilledAtTheirPointsEndCleanly() throws Exception {
        List<Killed> moves = new ArrayList<>();
        for (String point : List.of("SUBSCRIBED:DONE", "SYNCED:DONE", "FENCED:DONE")) {
            moves.add(namespace("r", point, false, After.ROLL_BACK));
        }
        for (String point : List.of("PROVISIONED:DONE", "FENCED:DONE", "FLIPPED:DONE")) {
            moves.add(namespace("o", point, true, After.RERUN));
        }
        moves.add(namespace("r", "FENCED:LOCKED", false, After.ROLL_BACK));
        moves.add(namespace("o", "FENCED:LOCKED", true, After.RERUN));
        moves.add(agent("main", "s2", "MARKED:DONE"));
        moves.add(agent("s2", "s3", "FLIPPED:DONE"));
        moves.add(agent("s3", "main", "FENCED:DONE"));
        moves.add(agent("main", "s2", "FENCED:LOCKED"));
        return killAll(moves);
    }

    private Killed namespace(String prefix, String point, boolean offline, After after) throws Exception {
        String name = prefix + "_" + point.toLowerCase(Locale.ROOT).replace(':', '_');
        f.foundUp("main", name, ROWS);
        return new Killed(Moves.FOUNDUP, name, "main", "s2", point, offline, after);
    }

    private Killed agent(String source, String target, String point) {
        String agent = "agent-" + point.toLowerCase(Locale.ROOT).replace(':', '-').replace('_', '-');
        AgentMemory memory = f.servers.db(source).agents();
        memory.recordAwakening(agent, "01");
        for (int i = 0; i < 20; i++) {
            memory.learnPattern(agent, "p", "{\"i\": " + i + "}");
        }
        f.directory.place(Moves.AGENT, agent, source);
        return new Killed(Moves.AGENT, agent, source, target, point, false, After.RERUN);
    }

    /**
     * Runs the moves in one child process until each has stopped at its point, kills the process with SIGKILL, and
     * returns one test per move that finishes (or rolls back) that move and checks the result, then one that checks
     * that nothing of any move is left.
     */
    private Stream<DynamicTest> killAll(List<Killed> moves) throws Exception {
        List<String> sums = new ArrayList<>();
        List<Long> epochs = new ArrayList<>();
        for (Killed k : moves) {
            sums.add(Moves.AGENT.equals(k.kind()) ? null : f.contentSum(k.source(), k.name()));
            epochs.add(f.directory.placement(k.kind(), k.name()).epoch());
        }
        List<String> args = new ArrayList<>();
        f.servers.urls().forEach((shard, url) -> args.add("shard:" + shard + "=" + url));
        moves.forEach(k -> args.add(k.arg()));
        try (ChildJvm child = ChildJvm.start(MoveChild.class, args)) {
            child.awaitLine(l -> l.equals("ALL STOPPED") || l.startsWith("ENDED"), Duration.ofSeconds(240));
            List<String> lines = child.lines();
            for (Killed k : moves) {
                assertTrue(lines.contains("STOPPED " + k.name() + " " + k.point()), () -> k + ": " + lines
                        + child.stderr());
            }
            child.kill();
        }
        awaitMoveLocksReleased();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < moves.size(); i++) {
            Killed k = moves.get(i);
            String sum = sums.get(i);
            long epoch = epochs.get(i);
            tests.add(dynamicTest(k.toString(), () -> {
                if (Moves.AGENT.equals(k.kind())) {
                    checkAgent(k);
                } else if (k.after() == After.RERUN) {
                    checkRerun(k, sum);
                } else {
                    checkRollBack(k, sum, epoch);
                }
            }));
        }
        tests.add(dynamicTest("nothing of any move is left", () -> {
            assertEquals(List.of(), f.moves.dropLeftovers());
            f.assertNoReplicationObjectsAt("main");
            f.assertNoReplicationObjectsAt("s2");
        }));
        return tests.stream();
    }

    /**
     * A killed client's backends end a moment after its sockets close, and only then are its move locks released;
     * the checks take those locks at once (a full build once ran a roll-back 4 ms after the kill and found the lock
     * still held).
     */
    private void awaitMoveLocksReleased() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"0".equals(f.servers.query("main", "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                + "AND classid = " + MOVE_LOCK_CLASS)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private void checkRerun(Killed k, String sum) throws Exception {
        Moves.Placement afterKill = f.directory.placement(k.kind(), k.name());
        assertEquals(flippedBy(k.point()) ? k.target() : k.source(), afterKill.shard(), "authoritative after the kill");

        Moves.Report report = f.moves.move(NamespaceKind.FOUNDUP, k.name(), k.target());

        assertTrue(report.resumed());
        assertEquals(k.offline() ? "OFFLINE" : "LOGICAL", report.method());
        assertEquals(sum, f.contentSum(k.target(), k.name()), "every row, once");
        f.assertPlaced(k.kind(), k.name(), k.target());
        f.assertGoneFrom(k.source(), k.name());
        f.assertNoReplicationObjects(k.target(), k.name());
        var journal = new MoveJournal(f.servers.db("main").dsl()).history(k.kind(), k.name());
        assertEquals(1, journal.size(), "one move, resumed");
        assertEquals("DONE/DONE", journal.get(0).getState() + "/" + journal.get(0).getStep());
    }

    private void checkRollBack(Killed k, String sum, long epoch) throws Exception {
        assertTrue(f.moves.rollBack(NamespaceKind.FOUNDUP, k.name()));

        f.assertPlaced(k.kind(), k.name(), k.source());
        assertTrue(f.directory.placement(k.kind(), k.name()).epoch() > epoch, "waiting writers see a new epoch");
        assertEquals(sum, f.contentSum(k.source(), k.name()));
        assertEquals(ROWS + 1, f.servers.db(k.source()).foundUp(k.name()).addContent("u", "after", (String) null),
                "the source takes writes again");
        f.assertGoneFrom(k.target(), k.name());
        f.assertNoReplicationObjects(k.source(), k.name());
        assertEquals(MoveJournal.ROLLED_BACK, new MoveJournal(f.servers.db("main").dsl())
                .history(k.kind(), k.name()).get(0).getState());
    }

    private void checkAgent(Killed k) {
        f.moves.moveAgent(k.name(), k.target());

        f.assertPlaced(k.kind(), k.name(), k.target());
        AgentMemory target = f.servers.db(k.target()).agents();
        AgentMemory source = f.servers.db(k.source()).agents();
        assertEquals(20, target.patterns(k.name()).size());
        assertTrue(target.awakening(k.name()).isPresent());
        assertTrue(source.patterns(k.name()).isEmpty());
        assertTrue(source.awakening(k.name()).isEmpty());
    }

    private static boolean flippedBy(String point) {
        Step step = Step.valueOf(point.substring(0, point.indexOf(':')));
        return step.compareTo(Step.FLIPPED) > 0 || point.equals("FLIPPED:DONE");
    }
}
