package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.ChildJvm;
import dev.foundups.db.testing.CrashWriter;

/**
 * A writer killed with SIGKILL at random moments, again and again on the same file: after every kill the file must
 * pass {@code integrity_check}, hold every row the writer acknowledged, and hold each transaction whole or not at
 * all.
 *
 * <p>{@value #DEFAULT_KILLS} kills by default; {@code -Dfoundups.crash.kills=N} for more. The seed is printed, and
 * {@code -Dfoundups.crash.seed=S} replays a run's kill moments.
 */
class SqliteCrashTest {

    static final int DEFAULT_KILLS = 20;

    @TempDir
    Path dir;

    @Test
    void killedWritersLoseNoAcknowledgedRowAndLeaveAnIntactFile() throws Exception {
        killAgainAndAgain(1, Integer.getInteger("foundups.crash.kills", DEFAULT_KILLS));
    }

    /** Four writer threads: their single inserts are committed in groups, and acknowledged only after. */
    @Test
    void killedMultiThreadedWritersLoseNoAcknowledgedRowAndLeaveAnIntactFile() throws Exception {
        killAgainAndAgain(4, Integer.getInteger("foundups.crash.kills", DEFAULT_KILLS) / 2);
    }

    private void killAgainAndAgain(int threads, int kills) throws Exception {
        long seed = Long.getLong("foundups.crash.seed", System.nanoTime());
        System.out.println("crash test seed " + seed);
        Random random = new Random(seed);
        String url = Backend.SQLITE.newDatabaseUrl(Files.createDirectories(dir.resolve("threads" + threads)));
        Set<Long> acknowledged = new HashSet<>();
        List<List<Long>> groups = new ArrayList<>();
        int killedWhileWriting = 0;
        for (int run = 0; run < kills; run++) {
            try (ChildJvm child = ChildJvm.start(CrashWriter.class,
                    List.of(url, "run" + run, String.valueOf(threads)))) {
                if (run % 4 == 3) {
                    // Now and then at any moment, opening (recovery, migrations) included.
                    Thread.sleep(random.nextInt(2500));
                } else {
                    child.awaitLine("READY"::equals, Duration.ofSeconds(120));
                    // Its first acknowledged write, then a random moment: on a loaded machine the child may take
                    // longer than the whole random pause to get going, and the kill would land before any write.
                    child.awaitLine(line -> line.startsWith("ACK"), Duration.ofSeconds(120));
                    Thread.sleep(random.nextInt(400));
                }
                child.kill();
                int before = acknowledged.size();
                for (List<String> words : child.linesStartingWith("ACK")) {
                    acknowledged.add(Long.parseLong(words.get(0)));
                }
                for (List<String> words : child.linesStartingWith("ACKTX")) {
                    List<Long> ids = words.subList(1, words.size()).stream().map(Long::parseLong).toList();
                    groups.add(ids);
                    acknowledged.addAll(ids);
                }
                if (acknowledged.size() > before) {
                    killedWhileWriting++;
                }
            }
            checkFile(url, acknowledged, groups, run);
        }
        System.out.println("crash test, " + threads + " writer thread(s): " + kills + " kills, " + killedWhileWriting
                + " while writing, " + acknowledged.size() + " acknowledged rows kept");
        assertTrue(killedWhileWriting >= kills / 2, "most kills should land while the child writes: "
                + killedWhileWriting + " of " + kills);
    }

    /** Reads the file as any SQLite client would after the crash: the next opener recovers the WAL. */
    private static void checkFile(String url, Set<Long> acknowledged, List<List<Long>> groups, int run)
            throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertEquals("ok", rs.getString(1), "integrity after kill " + run);
            }
            if (!hasTimeoutsTable(st)) {
                assertTrue(acknowledged.isEmpty(), "rows were acknowledged, yet the table is missing");
                return;
            }
            Set<Long> stored = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id FROM modules_chat_rules_timeouts WHERE mod_id = ?")) {
                ps.setString(1, CrashWriter.MOD_ID);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stored.add(rs.getLong(1));
                    }
                }
            }
            Set<Long> lost = new HashSet<>(acknowledged);
            lost.removeAll(stored);
            assertEquals(Set.of(), lost, "acknowledged rows missing after kill " + run);
            try (PreparedStatement ps = c.prepareStatement("SELECT target, COUNT(*) FROM modules_chat_rules_timeouts "
                    + "WHERE mod_id = ? AND target NOT LIKE ? GROUP BY target HAVING COUNT(*) <> ?")) {
                ps.setString(1, CrashWriter.MOD_ID);
                ps.setString(2, "%-single");
                ps.setInt(3, CrashWriter.GROUP_SIZE);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(!rs.next(), () -> "a transaction was kept in part after kill " + run);
                }
            }
        }
    }

    private static boolean hasTimeoutsTable(Statement st) throws Exception {
        try (ResultSet rs = st.executeQuery(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'modules_chat_rules_timeouts'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }
}
