package dev.foundups.db.sharding;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jooq.Record1;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.ShardInfo;
import dev.foundups.db.modules.chatrules.ChatRules;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.ShardServers;

/**
 * Sharding as a user sees it, on real PostgreSQL servers: the database {@code DATABASE_URL} names (server 0) and
 * shards on another server (b) and on the same server (c). What lands where is checked in each shard's own database
 * with plain JDBC, not through the library.
 */
class ShardingTest {

    @TempDir
    Path dir;

    String main;
    String b;
    String c;

    @BeforeEach
    void databases() {
        main = ShardServers.newDatabaseUrl(0);
        b = ShardServers.newDatabaseUrl(1);
        c = ShardServers.newDatabaseUrl(0);
    }

    FoundupsDb open() {
        return FoundupsDb.configure().databaseUrl(main).open();
    }

    @Test
    void existingDataStaysOnMainAndNewNamespacesGoToTheShardWithFewestPlacements() throws SQLException {
        try (FoundupsDb db = open()) {
            db.foundUp("before").addUser("u1", "Old");
            db.agents().recordAwakening("old_agent", "0102");
            assertTrue(db.shards().list().isEmpty(), "not sharded before the first shard");

            ShardInfo added = db.shards().add("b", b);
            assertEquals("b", added.name());
            db.shards().add("c", c);
            Map<String, ShardInfo> shards = byName(db.shards().list());
            assertEquals(List.of("b", "c", "main"), List.copyOf(shards.keySet()));
            assertEquals(1, shards.get("main").namespaces(), "the existing FoundUp is placed on main");
            assertEquals(1, shards.get("main").agents(), "so is the existing agent");
            assertEquals("Old", db.foundUp("before").user("u1").orElseThrow().getUsername());

            for (int i = 0; i < 6; i++) {
                db.foundUp("fu_" + i).addUser("u", "User " + i);
            }
            shards = byName(db.shards().list());
            // main holds 2 placements already; each new one goes where there are fewest (ties: by name).
            assertEquals(3, shards.get("b").namespaces(), shards.toString());
            assertEquals(3, shards.get("c").namespaces(), shards.toString());
            assertEquals(1, shards.get("main").namespaces(), shards.toString());

            NamespaceInfo pinned = db.catalog().create(NamespaceKind.FOUNDUP, "pinned", "b");
            assertEquals("pinned", pinned.name());
            assertEquals(4, byName(db.shards().list()).get("b").namespaces());

            // Each FoundUp's tables and rows are on exactly the shard the directory names.
            Map<String, String> urls = Map.of("main", main, "b", b, "c", c);
            for (String fu : List.of("before", "fu_0", "fu_1", "fu_2", "fu_3", "fu_4", "fu_5", "pinned")) {
                String shard = placement(main, "FOUNDUP", fu);
                for (Map.Entry<String, String> e : urls.entrySet()) {
                    assertEquals(e.getKey().equals(shard), tableExists(e.getValue(), "foundups_" + fu + "_users"),
                            fu + " placed on " + shard + ", looked on " + e.getKey());
                }
            }
            assertEquals(1, count(b, "SELECT count(*) FROM foundupsdb_namespaces WHERE name = 'pinned'"));
            assertEquals(0, count(main, "SELECT count(*) FROM foundupsdb_namespaces WHERE name = 'pinned'"));

            // The catalog is the union of the shards'.
            assertEquals(8, db.catalog().list().size());
            assertEquals(NamespaceState.READY, db.catalog().find(NamespaceKind.FOUNDUP, "pinned").orElseThrow()
                    .state());
            assertThrows(FoundupsDbException.class, () -> db.catalog().create(NamespaceKind.FOUNDUP, "pinned", "c"));
        }
    }

    @Test
    void typedCodeRunsUnchangedOnEachShardAndASecondProcessSeesThePlacements() throws SQLException {
        try (FoundupsDb db = open()) {
            db.shards().add("b", b);
            db.shards().add("c", c);
            db.catalog().create(NamespaceKind.MODULE, ChatRules.MODULE, "b");
            ChatRules chat = ChatRules.of(db);
            chat.recordTimeout("mod1", "troll", 60);
            assertEquals(1, chat.timeoutsFor("troll").size());
            assertEquals(1, count(b, "SELECT count(*) FROM modules_chat_rules_timeouts WHERE target = 'troll'"));
            assertFalse(tableExists(main, "modules_chat_rules_timeouts"));

            for (String shard : List.of("main", "b", "c")) {
                db.catalog().create(NamespaceKind.FOUNDUP, "on_" + shard, shard);
                FoundUp fu = db.foundUp("on_" + shard);
                fu.addUser("u1", "Ada");
                long content = fu.addContent("u1", "hello " + shard, "{\"n\": 1}");
                assertEquals(1, fu.content("u1").size());
                assertEquals(content, fu.content().get(0).getId());
                assertEquals(1, fu.dsl().fetchCount(FOUNDUP_USERS), shard);
            }
            assertEquals(1, count(c, "SELECT count(*) FROM foundups_on_c_content WHERE content = 'hello c'"));

            try (FoundupsDb second = open()) {
                assertEquals(db.shards().list(), second.shards().list());
                assertEquals("Ada", second.foundUp("on_b").user("u1").orElseThrow().getUsername());
                assertEquals(1, ChatRules.of(second).timeoutsFor("troll").size());
                second.foundUp("from_second").addUser("u2", "Bob");
                String shard = placement(main, "FOUNDUP", "from_second");
                assertEquals(1, count(Map.of("main", main, "b", b, "c", c).get(shard),
                        "SELECT count(*) FROM foundups_from_second_users"));
            }
            assertEquals("Bob", db.foundUp("from_second").user("u2").orElseThrow().getUsername());

            // Catalog operations follow the shard: drop, create again, rename.
            db.catalog().drop(NamespaceKind.FOUNDUP, "on_b");
            assertFalse(tableExists(b, "foundups_on_b_users"));
            assertEquals(NamespaceState.DROPPED, db.catalog().find(NamespaceKind.FOUNDUP, "on_b").orElseThrow()
                    .state());
            db.foundUp("on_b").addUser("u9", "Again");
            assertTrue(tableExists(b, "foundups_on_b_users"), "created again where it was placed");
            db.catalog().renameFoundUp("on_c", "renamed_c");
            assertTrue(tableExists(c, "foundups_renamed_c_users"));
            assertEquals("c", placement(main, "FOUNDUP", "renamed_c"));
            assertEquals(null, placement(main, "FOUNDUP", "on_c"));
            assertEquals("Ada", db.foundUp("renamed_c").user("u1").orElseThrow().getUsername());
        }
    }

    @Test
    void agentRowsLandOnTheirAgentsShardAndErrorsStayOnMain() throws SQLException {
        try (FoundupsDb db = open()) {
            db.shards().add("b", b);
            for (int i = 0; i < 4; i++) {
                db.agents().recordAwakening("agent_" + i, "0102");
                db.agents().learnPattern("agent_" + i, "error_fix", "{\"i\": " + i + "}");
            }
            db.agents().recordError("hash1", "KeyError", "{\"fix\": \"check\"}");
            Map<String, String> urls = Map.of("main", main, "b", b);
            for (int i = 0; i < 4; i++) {
                String agent = "agent_" + i;
                String shard = placement(main, "AGENT", agent);
                for (Map.Entry<String, String> e : urls.entrySet()) {
                    int expected = e.getKey().equals(shard) ? 1 : 0;
                    assertEquals(expected, count(e.getValue(), "SELECT count(*) FROM agents_awakening WHERE agent_id"
                            + " = '" + agent + "'"), agent + " on " + e.getKey());
                    assertEquals(expected, count(e.getValue(), "SELECT count(*) FROM agents_memory WHERE agent_id"
                            + " = '" + agent + "'"), agent + " on " + e.getKey());
                }
                assertEquals("0102", db.agents().awakening(agent).orElseThrow().getConsciousnessLevel());
                assertEquals(1, db.agents().patterns(agent).size());
            }
            assertEquals(2, byName(db.shards().list()).get("b").agents(), "two agents each");
            assertEquals(1, count(main, "SELECT count(*) FROM agents_errors"));
            assertEquals(0, count(b, "SELECT count(*) FROM agents_errors"));
            assertTrue(db.agents().awakening("never_seen").isEmpty());
            assertEquals(null, placement(main, "AGENT", "never_seen"), "a read places nothing");

            // Questions across all agents: the fan-out over every shard.
            List<String> all = new ArrayList<>(db.shards().query(dsl -> dsl.select(AGENTS_AWAKENING.AGENT_ID)
                    .from(AGENTS_AWAKENING).fetch(Record1::value1)));
            all.sort(null);
            assertEquals(List.of("agent_0", "agent_1", "agent_2", "agent_3"), all);
        }
    }

    @Test
    void aPlacementLeftByACrashDoesNotBlockARetry() throws SQLException {
        try (FoundupsDb db = open()) {
            db.shards().add("b", b);
            // A process placed 'lost' on b and died before creating its tables.
            execute(main, "INSERT INTO foundupsdb_placements (kind, name, shard, epoch, state, updated_at) "
                    + "VALUES ('FOUNDUP', 'lost', 'b', 1, 'PLACING', now())");
            // Another created 'half' on b and died before marking it placed.
            execute(main, "INSERT INTO foundupsdb_placements (kind, name, shard, epoch, state, updated_at) "
                    + "VALUES ('FOUNDUP', 'half', 'b', 1, 'PLACING', now())");
            try (FoundupsDb shardB = FoundupsDb.configure().databaseUrl(b).open()) {
                shardB.foundUp("half").addUser("u1", "Kept");
            }

            db.foundUp("lost").addUser("u1", "Retried");
            assertEquals("Retried", db.foundUp("lost").user("u1").orElseThrow().getUsername());
            assertEquals(1, count(b, "SELECT count(*) FROM foundups_lost_users"));
            assertEquals("Kept", db.foundUp("half").user("u1").orElseThrow().getUsername());
            assertEquals(0, count(main, "SELECT count(*) FROM foundupsdb_placements WHERE state = 'PLACING'"));

            execute(main, "INSERT INTO foundupsdb_placements (kind, name, shard, epoch, state, updated_at) "
                    + "VALUES ('FOUNDUP', 'again', 'b', 1, 'PLACING', now())");
            assertEquals("again", db.catalog().create(NamespaceKind.FOUNDUP, "again").name());
            assertTrue(tableExists(b, "foundups_again_users"));
            assertEquals("ACTIVE", text(main, "SELECT state FROM foundupsdb_placements WHERE name = 'again'"));

            FoundupsDbException bad = assertThrows(FoundupsDbException.class, () -> db.foundUp("Bad-Name"));
            assertEquals(ErrorCode.INVALID_NAME, bad.errorCode());
            assertEquals(null, placement(main, "FOUNDUP", "Bad-Name"), "a bad name is refused before placing");
        }
    }

    @Test
    void migrateGoesOnWhenAShardCannotBeReached() throws SQLException {
        try (FoundupsDb db = open()) {
            db.shards().add("b", b);
            db.shards().add("c", c);
            db.catalog().create(NamespaceKind.FOUNDUP, "on_c", "c");
            db.catalog().create(NamespaceKind.FOUNDUP, "on_b", "b");
        }
        execute(main, "UPDATE foundupsdb_shards SET url = '" + ShardServers.unreachableUrl() + "' WHERE name = 'b'");
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(main).migrateOnOpen(false).open()) {
            var report = db.catalog().migrate();
            assertFalse(report.succeeded());
            assertEquals(List.of("shard:b"), report.failedNamespaces());
            assertTrue(report.failed().get("shard:b").contains("shard 'b'"), report.failed().toString());
            assertFalse(report.failed().get("shard:b").contains("password=postgres"), "no password in messages");
            assertEquals(1, report.checked(), "main and c were checked: c holds one FoundUp");
            var status = db.shards().status();
            assertEquals(3, status.size());
            assertFalse(status.stream().filter(s -> s.shard().name().equals("b")).findFirst().orElseThrow()
                    .reachable());
            assertEquals(1, status.stream().filter(s -> s.shard().name().equals("c")).findFirst().orElseThrow()
                    .namespaces().size());
            db.foundUp("on_c").addUser("u", "Still here"); // the reachable shards still work
            assertEquals(1, count(c, "SELECT count(*) FROM foundups_on_c_users"));
        }
    }

    @Test
    void addRefusesWhatCannotBeAShard(@TempDir Path sqliteDir) {
        try (FoundupsDb sqlite = Backend.SQLITE.open(sqliteDir)) {
            FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> sqlite.shards().add("b", b));
            assertEquals(ErrorCode.CONFIGURATION, e.errorCode());
            assertTrue(e.getMessage().startsWith("sharding needs PostgreSQL: databaseUrl names the SQLite database"),
                    e.getMessage());
            assertTrue(sqlite.shards().list().isEmpty());
            assertEquals(List.of("one database"), sqlite.shards().query(dsl -> List.of("one database")));
        }
        try (FoundupsDb db = open()) {
            assertEquals(ErrorCode.CONFIGURATION, assertThrows(FoundupsDbException.class,
                    () -> db.catalog().create(NamespaceKind.FOUNDUP, "x", "b")).errorCode(), "not sharded yet");
            assertEquals(ErrorCode.CONFIGURATION, assertThrows(FoundupsDbException.class,
                    () -> db.shards().add("b", "sqlite:///" + dir.resolve("x.db"))).errorCode());
            assertEquals(ErrorCode.INVALID_NAME, assertThrows(FoundupsDbException.class,
                    () -> db.shards().add("B-2", b)).errorCode());
            assertEquals(ErrorCode.INVALID_NAME, assertThrows(FoundupsDbException.class,
                    () -> db.shards().add("main", b)).errorCode());
            assertEquals(ErrorCode.INVALID_INPUT, assertThrows(FoundupsDbException.class,
                    () -> db.shards().add("self", main)).errorCode(), "main's own database");
            FoundupsDbException down = assertThrows(FoundupsDbException.class,
                    () -> db.shards().add("down", ShardServers.unreachableUrl()));
            assertEquals(ErrorCode.DB_CONNECTION, down.errorCode());
            assertFalse(down.getMessage().contains(":postgres@"), down.getMessage());
            assertTrue(db.shards().list().isEmpty(), "nothing was added");

            String used = ShardServers.newDatabaseUrl(1);
            try (FoundupsDb other = FoundupsDb.configure().databaseUrl(used).open()) {
                other.foundUp("someone_elses");
            }
            assertEquals(ErrorCode.INVALID_INPUT, assertThrows(FoundupsDbException.class,
                    () -> db.shards().add("used", used)).errorCode());

            db.shards().add("b", b);
            assertEquals(ErrorCode.NAME_CONFLICT, assertThrows(FoundupsDbException.class,
                    () -> db.shards().add("b", c)).errorCode());
            for (ShardInfo shard : db.shards().list()) {
                assertFalse(shard.url().contains("password=postgres"), shard.url());
            }
            assertEquals(ErrorCode.INVALID_INPUT, assertThrows(FoundupsDbException.class,
                    () -> db.catalog().create(NamespaceKind.FOUNDUP, "x", "nope")).errorCode());
            // x was never created (its shard did not exist): there is nothing to move.
            assertEquals(ErrorCode.INVALID_INPUT, assertThrows(FoundupsDbException.class,
                    () -> db.catalog().move(NamespaceKind.FOUNDUP, "x", "b")).errorCode());
        }
    }

    // ---- looking into the databases directly

    static Map<String, ShardInfo> byName(List<ShardInfo> shards) {
        Map<String, ShardInfo> map = new TreeMap<>();
        shards.forEach(s -> map.put(s.name(), s));
        return map;
    }

    static String placement(String directory, String kind, String name) throws SQLException {
        return text(directory, "SELECT shard FROM foundupsdb_placements WHERE kind = '" + kind + "' AND name = '"
                + name + "'");
    }

    static long count(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String text(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static boolean tableExists(String url, String table) throws SQLException {
        return count(url, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '"
                + table + "'") == 1;
    }

    static Map<String, Long> counts(Map<String, String> urls, String sql) throws SQLException {
        Map<String, Long> counts = new HashMap<>();
        for (Map.Entry<String, String> e : urls.entrySet()) {
            counts.put(e.getKey(), count(e.getValue(), sql));
        }
        return counts;
    }
}
