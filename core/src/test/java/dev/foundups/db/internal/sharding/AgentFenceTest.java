package dev.foundups.db.internal.sharding;

import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jooq.JSON;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.testing.ShardServers;

/**
 * The race an agent's move must win: a write routed to the agent's shard before the move, and sent there after it
 * (a process whose copy of the directory was stale). The fence the move leaves refuses it on the old shard, and the
 * write runs again on the new one: the row is there once, and not on the old shard.
 */
@Timeout(120)
class AgentFenceTest {

    @Test
    void aWriteRoutedBeforeTheMoveAndSentAfterItLandsOnTheNewShard() throws Exception {
        String main = ShardServers.newDatabaseUrl(0);
        String b = ShardServers.newDatabaseUrl(1);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(main).open()) {
            db.shards().add("b", b);
            db.agents().learnPattern("racer", "step", "{\"n\": 1}");
            String from = placement(main, "racer");
            String to = from.equals("main") ? "b" : "main";
            String fromUrl = from.equals("main") ? main : b;
            String toUrl = from.equals("main") ? b : main;

            ShardRouting routing = routing(db);
            CountDownLatch routed = new CountDownLatch(1);
            CountDownLatch moved = new CountDownLatch(1);
            AtomicInteger attempts = new AtomicInteger();
            AtomicLong id = new AtomicLong();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            Thread writer = new Thread(() -> {
                try {
                    id.set(routing.writeAgent("racer", dsl -> {
                        if (attempts.getAndIncrement() == 0) {
                            routed.countDown(); // routed to the old shard, and held there until the move is done
                            try {
                                assertTrue(moved.await(60, TimeUnit.SECONDS));
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                        return dsl.insertInto(AGENTS_MEMORY).set(AGENTS_MEMORY.AGENT_ID, "racer")
                                .set(AGENTS_MEMORY.PATTERN_TYPE, "late")
                                .set(AGENTS_MEMORY.PATTERN_DATA, JSON.valueOf("{\"n\": 2}"))
                                .returning(AGENTS_MEMORY.ID).fetchSingle().getId();
                    }));
                } catch (Throwable t) {
                    errors.add(t);
                }
            }, "stale-writer");
            writer.start();
            assertTrue(routed.await(30, TimeUnit.SECONDS));

            db.shards().moveAgent("racer", to);
            moved.countDown();
            writer.join(60_000);

            assertEquals(List.of(), errors);
            assertEquals(2, attempts.get(), "refused on the old shard, then run on the new one");
            assertEquals(0, count(fromUrl, "SELECT count(*) FROM agents_memory WHERE agent_id = 'racer'"),
                    "nothing of the agent is left or written on the shard it left");
            assertEquals(1, count(toUrl, "SELECT count(*) FROM agents_memory WHERE agent_id = 'racer' "
                    + "AND pattern_type = 'late' AND id = " + id.get()));
            assertEquals(List.of("step", "late"), db.agents().patterns("racer").stream()
                    .map(r -> r.getPatternType()).toList());
        }
    }

    /** The routing of a sharded database: white-box, to hold a write between its routing and its statement. */
    private static ShardRouting routing(FoundupsDb db) {
        return ShardRouting.of(db.dsl().configuration()).orElseThrow();
    }

    private static long count(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** @return the shard the directory names for an agent */
    private static String placement(String mainUrl, String agent) throws SQLException {
        try (Connection c = DriverManager.getConnection(mainUrl); PreparedStatement ps = c.prepareStatement(
                "SELECT shard FROM foundupsdb_placements WHERE kind = 'AGENT' AND name = ?")) {
            ps.setString(1, agent);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "agent " + agent + " has a placement");
                return rs.getString(1);
            }
        }
    }
}
