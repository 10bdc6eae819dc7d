package dev.foundups.db.sharding;

import static dev.foundups.db.sharding.ShardingTest.byName;
import static dev.foundups.db.sharding.ShardingTest.count;
import static dev.foundups.db.sharding.ShardingTest.placement;
import static dev.foundups.db.sharding.ShardingTest.tableExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.MoveReport;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.ShardInfo;
import dev.foundups.db.modules.chatrules.ChatRules;
import dev.foundups.db.testing.ShardServers;

/**
 * Moves through the public API, end to end on three real servers: {@code catalog().move} while a writer keeps
 * writing through a handle it took before the move, {@code shards().drain}, and an agent's move. What is where
 * afterwards is read from each shard's own database.
 */
class ShardMoveTest {

    @Test
    void aFoundUpMovesOnlineWhileAWriterWritesAndEveryAcknowledgedRowIsOnTheNewShardOnce() throws Exception {
        String main = ShardServers.newDatabaseUrl(0);
        String b = ShardServers.newDatabaseUrl(1);
        String c = ShardServers.newDatabaseUrl(2);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(main).open()) {
            db.shards().add("b", b);
            db.shards().add("c", c);
            db.catalog().create(NamespaceKind.FOUNDUP, "busy", "b");
            FoundUp busy = db.foundUp("busy"); // taken before the move and kept, as module code keeps its handles
            for (int i = 0; i < 500; i++) {
                busy.addUser("old" + i, "Old " + i);
            }

            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        busy.addUser("new" + i, "New " + i);
                        acknowledged.add("new" + i);
                    } catch (Throwable t) {
                        errors.add(t);
                        return;
                    }
                }
            }, "writer");
            writer.start();
            while (acknowledged.size() < 50 && writer.isAlive()) {
                Thread.sleep(5);
            }

            MoveReport report = db.catalog().move(NamespaceKind.FOUNDUP, "busy", "c");
            int afterMove = acknowledged.size();
            while (acknowledged.size() < afterMove + 50 && writer.isAlive()) {
                Thread.sleep(5); // writes go on after the move, through the same handle
            }
            stop.set(true);
            writer.join();

            assertEquals(List.of(), errors, "the writer saw no error");
            assertEquals(MoveReport.Method.ONLINE, report.method(), report.toString());
            assertEquals("b", report.source());
            assertEquals("c", report.target());
            assertTrue(report.writePause().isPresent(), report.toString());
            assertEquals("c", placement(main, "FOUNDUP", "busy"));
            // Every acknowledged row is on c, once; nothing is left on b.
            assertEquals(500 + acknowledged.size(), count(c, "SELECT count(*) FROM foundups_busy_users"));
            assertEquals(500 + acknowledged.size(), count(c, "SELECT count(DISTINCT id) FROM foundups_busy_users"));
            for (String id : acknowledged) {
                assertTrue(busy.user(id).isPresent(), id + " was acknowledged");
            }
            assertFalse(tableExists(b, "foundups_busy_users"), "the source's tables are dropped");
            assertEquals(0, count(b, "SELECT count(*) FROM pg_publication"));
            assertEquals(0, count(b, "SELECT count(*) FROM pg_replication_slots"));
            assertEquals(0, count(c, "SELECT count(*) FROM pg_subscription"));
            assertEquals(0, count(b, "SELECT count(*) FROM foundupsdb_namespaces WHERE name = 'busy'"));
            assertEquals(1, count(c, "SELECT count(*) FROM foundupsdb_namespaces WHERE name = 'busy'"));

            // Moving it where it is does nothing, and says so.
            assertEquals(MoveReport.Method.NONE, db.catalog().move(NamespaceKind.FOUNDUP, "busy", "c").method());
            FoundupsDbException unknown = assertThrows(FoundupsDbException.class,
                    () -> db.catalog().move(NamespaceKind.FOUNDUP, "busy", "nowhere"));
            assertEquals(ErrorCode.INVALID_INPUT, unknown.errorCode(), unknown.getMessage());
        }
    }

    @Test
    void drainingAShardMovesEverythingOffItAndTypedCodeFollows() throws Exception {
        String main = ShardServers.newDatabaseUrl(0);
        String b = ShardServers.newDatabaseUrl(1);
        String c = ShardServers.newDatabaseUrl(2);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(main).open()) {
            db.shards().add("b", b);
            db.shards().add("c", c);
            db.catalog().create(NamespaceKind.FOUNDUP, "fu_one", "b");
            db.catalog().create(NamespaceKind.MODULE, "chat_rules", "b");
            db.foundUp("fu_one").addUser("u1", "One");
            ChatRules chat = ChatRules.of(db);
            chat.upsertModerator("mod1", "Mod One", 0, null);
            chat.recordTimeout("mod1", "troll", 60);
            db.agents().learnPattern("agent_b", "t", "{\"k\":1}");
            String agentShard = placement(main, "AGENT", "agent_b");

            List<MoveReport> reports = db.shards().drain("b");

            Map<String, ShardInfo> shards = byName(db.shards().list());
            assertEquals(ShardInfo.State.DRAINING, shards.get("b").state());
            assertEquals(0, shards.get("b").namespaces(), shards.toString());
            assertEquals(0, shards.get("b").agents(), shards.toString());
            assertTrue(reports.stream().anyMatch(r -> r.name().equals("fu_one")), reports.toString());
            assertTrue(reports.stream().anyMatch(r -> r.name().equals("chat_rules")), reports.toString());
            assertEquals("b".equals(agentShard), reports.stream().anyMatch(r -> r.name().equals("agent_b")));
            // The same handles, and new ones, read what was written before.
            assertEquals("One", db.foundUp("fu_one").user("u1").orElseThrow().getUsername());
            assertEquals(1, chat.timeoutsFor("troll").size());
            assertEquals(1, db.agents().patterns("agent_b").size());
            assertFalse(tableExists(b, "foundups_fu_one_users"));
            // Nothing new goes to a draining shard.
            db.foundUp("fu_two").addUser("u2", "Two");
            assertFalse("b".equals(placement(main, "FOUNDUP", "fu_two")));
        }
    }

    @Test
    void anAgentMovesWithItsAwakeningAndPatterns() throws Exception {
        String main = ShardServers.newDatabaseUrl(0);
        String b = ShardServers.newDatabaseUrl(1);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(main).open()) {
            db.shards().add("b", b);
            db.agents().recordAwakening("walker", "0102", "koan");
            db.agents().learnPattern("walker", "route", "{\"step\":1}");
            db.agents().learnPattern("walker", "route", "{\"step\":2}");
            String from = placement(main, "AGENT", "walker");
            String to = "main".equals(from) ? "b" : "main";
            String fromUrl = "main".equals(from) ? main : b;
            String toUrl = "main".equals(to) ? main : b;

            MoveReport report = db.shards().moveAgent("walker", to);

            assertEquals(MoveReport.Method.OFFLINE, report.method(), report.toString());
            assertEquals(to, placement(main, "AGENT", "walker"));
            assertEquals(0, count(fromUrl, "SELECT count(*) FROM agents_memory WHERE agent_id = 'walker'"));
            assertEquals(2, count(toUrl, "SELECT count(*) FROM agents_memory WHERE agent_id = 'walker'"));
            assertEquals("0102", db.agents().awakening("walker").orElseThrow().getConsciousnessLevel());
            assertEquals(2, db.agents().patterns("walker").size());
            db.agents().learnPattern("walker", "route", "{\"step\":3}"); // new rows go to the new shard
            assertEquals(3, count(toUrl, "SELECT count(*) FROM agents_memory WHERE agent_id = 'walker'"));
        }
    }
}
