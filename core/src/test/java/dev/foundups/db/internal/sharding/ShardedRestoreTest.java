package dev.foundups.db.internal.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jooq.JSON;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.BackupResult;
import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.RestoreResult;
import dev.foundups.db.ShardInfo;
import dev.foundups.db.jooq.tables.records.FoundupContentRecord;
import dev.foundups.db.modules.chatrules.ChatRules;
import dev.foundups.db.testing.ShardServers;

/**
 * The restore of a sharded database's backup set on three real servers: a set taken of a database with FoundUps, a
 * module and agents on three shards is restored into new databases, and the restored database, opened as a user
 * opens it, must hold every row on the shard its directory names, and route there. Refusals must leave every target
 * as it was; a shard that fails midway is named, and restoring it alone finishes the job. Where rows are is checked
 * in each database with plain JDBC, not through the library.
 */
class ShardedRestoreTest {

    private static final List<String> SHARDS = List.of("main", "b", "c");
    private static final List<String> AGENTS = List.of("agent_1", "agent_2", "agent_3", "agent_4", "agent_5");

    @TempDir
    Path dir;

    /** The databases the set is taken of, by shard. */
    Map<String, String> source;
    /** New, empty databases to restore into, by shard (main on server 0, b on 1, c on 2, as the source). */
    Map<String, String> target;

    @BeforeEach
    void databases() {
        source = new LinkedHashMap<>();
        target = new LinkedHashMap<>();
        for (int i = 0; i < SHARDS.size(); i++) {
            source.put(SHARDS.get(i), ShardServers.newDatabaseUrl(i));
            target.put(SHARDS.get(i), ShardServers.newDatabaseUrl(i));
        }
    }

    @AfterEach
    void noHooks() {
        ShardedRestore.afterShard = shard -> { };
        ShardedBackup.afterShard = shard -> { };
    }

    /** A FoundUp on each shard, chat_rules on c, agents wherever placement puts them, an error on main. */
    FoundupsDb sharded() {
        FoundupsDb db = FoundupsDb.configure().databaseUrl(source.get("main")).open();
        db.shards().add("b", source.get("b"));
        db.shards().add("c", source.get("c"));
        for (String shard : SHARDS) {
            db.catalog().create(NamespaceKind.FOUNDUP, "fu_" + shard, shard);
            FoundUp fu = db.foundUp("fu_" + shard);
            fu.addUser("u1", "User on " + shard);
            fu.addContent("u1", "Hello from " + shard, "{\"shard\":\"" + shard + "\"}");
        }
        db.catalog().create(NamespaceKind.MODULE, ChatRules.MODULE, "c");
        ChatRules.of(db).upsertModerator("mod1", "Mod", 10, JSON.valueOf("{\"level\":\"ROOKIE\"}"));
        ChatRules.of(db).recordTimeout("mod1", "troll", 60);
        for (String agent : AGENTS) {
            db.agents().recordAwakening(agent, "0102");
            db.agents().learnPattern(agent, "error_fix", "{\"agent\":\"" + agent + "\"}");
        }
        db.agents().recordError("hash1", "KeyError", "{\"fix\":\"check key\"}");
        return db;
    }

    /** @return a consistent set of {@link #sharded()} */
    Path backup() {
        Path set = dir.resolve("set");
        try (FoundupsDb db = sharded()) {
            BackupResult result = db.backup(set);
            assertTrue(result.consistent(), result.inconsistencies().toString());
        }
        return set;
    }

    @Test
    void aSetIsRestoredIntoNewDatabasesAndTheRestoredDatabaseRoutesThere() throws Exception {
        Path set = backup();
        Map<String, String> agentShards = placements(source.get("main"), "AGENT");

        RestoreResult result = FoundupsDb.configure().databaseUrl(target.get("main")).restoreSet(set)
                .shardUrl("b", target.get("b")).shardUrl("c", target.get("c")).restore();

        assertTrue(result.isSet());
        assertEquals(SHARDS, result.shards().stream().map(RestoreResult.ShardRestore::shard).toList());
        long bytes = 0;
        for (RestoreResult.ShardRestore shard : result.shards()) {
            assertEquals(databaseName(target.get(shard.shard())), databaseName(shard.url()), shard.toString());
            assertFalse(shard.url().contains("password=postgres"), shard.url());
            assertEquals(Files.size(set.resolve(shard.shard() + ".dump")), shard.bytes());
            bytes += shard.bytes();
        }
        assertEquals(bytes, result.bytes());
        assertFalse(result.url().contains("password=postgres"), result.url());

        try (FoundupsDb restored = FoundupsDb.configure().databaseUrl(target.get("main")).open()) {
            Map<String, String> urls = new TreeMap<>();
            for (ShardInfo info : restored.shards().list()) {
                urls.put(info.name(), databaseName(info.url()));
            }
            assertEquals(Map.of("main", databaseName(target.get("main")), "b", databaseName(target.get("b")),
                    "c", databaseName(target.get("c"))), urls, "the directory names the new databases");

            for (String shard : SHARDS) {
                FoundUp fu = restored.foundUp("fu_" + shard);
                assertEquals("User on " + shard, fu.user("u1").orElseThrow().getUsername());
                assertEquals(List.of("Hello from " + shard), fu.content("u1").stream()
                        .map(FoundupContentRecord::getContent).toList());
                assertEquals(List.of(shard), holders("foundups_fu_" + shard + "_users"));
            }
            ChatRules chat = ChatRules.of(restored);
            assertEquals("Mod", chat.moderator("mod1").orElseThrow().getName());
            assertEquals(1, chat.timeoutsFor("troll").size());
            assertEquals(List.of("c"), holders("modules_chat_rules_moderators"));
            for (String agent : AGENTS) {
                assertEquals("0102", restored.agents().awakening(agent).orElseThrow().getConsciousnessLevel());
                assertEquals(1, restored.agents().patterns(agent).size(), agent);
                assertEquals(List.of(agentShards.get(agent)), holdersOf("agents_awakening", agent), agent);
            }
            assertEquals(1, restored.agents().error("hash1").orElseThrow().getOccurrences());

            // A new row goes to the restored shard, not to the database the set was taken from.
            restored.foundUp("fu_b").addUser("u2", "After the restore");
            assertEquals(1, count(target.get("b"), "foundups_fu_b_users", "u2"));
            assertEquals(0, count(source.get("b"), "foundups_fu_b_users", "u2"));
        }
    }

    @Test
    void byDefaultEachShardGoesBackToTheDatabaseTheSetsDirectoryNames() throws Exception {
        Path set = backup();
        // The default targets are the databases the set was taken from: they hold tables, so all are named at once.
        FoundupsDbException full = assertThrows(FoundupsDbException.class,
                () -> FoundupsDb.configure().databaseUrl(target.get("main")).restore(set));
        assertEquals(ErrorCode.BACKUP, full.errorCode());
        assertTrue(full.getMessage().contains("shard 'b' into jdbc:postgresql://")
                && full.getMessage().contains(databaseName(source.get("b")))
                && full.getMessage().contains("shard 'c' into") && full.getMessage().contains("nothing was restored"),
                full.getMessage());
        assertNoPassword(full);
        assertEquals(0, tables(target.get("main")), "main's target was not written");

        // Shards b and c rebuilt empty where they were: the set goes back there.
        for (String shard : List.of("b", "c")) {
            try (Connection conn = DriverManager.getConnection(source.get(shard));
                 Statement st = conn.createStatement()) {
                st.execute("DROP SCHEMA public CASCADE");
                st.execute("CREATE SCHEMA public");
            }
        }
        RestoreResult result = FoundupsDb.configure().databaseUrl(target.get("main")).restore(set);
        assertEquals(databaseName(source.get("c")), databaseName(result.shards().get(2).url()));
        try (FoundupsDb restored = FoundupsDb.configure().databaseUrl(target.get("main")).open()) {
            assertEquals("User on c", restored.foundUp("fu_c").user("u1").orElseThrow().getUsername());
        }
        assertEquals(1, count(source.get("c"), "foundups_fu_c_users", "u1"));
    }

    @Test
    void aTargetThatHoldsATableIsRefusedAndNothingIsWrittenAnywhere() throws Exception {
        Path set = backup();
        try (Connection conn = DriverManager.getConnection(target.get("c")); Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE someone_elses (id INT PRIMARY KEY)");
        }
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> restore(set));
        assertEquals(ErrorCode.BACKUP, e.errorCode());
        assertTrue(e.getMessage().startsWith("cannot restore shard 'c' into jdbc:postgresql://")
                && e.getMessage().contains(databaseName(target.get("c")) + "?")
                && e.getMessage().contains("which has 1 table(s)") && e.getMessage().contains("nothing was restored"),
                e.getMessage());
        assertFalse(e.getMessage().contains("shard 'b'"), e.getMessage());
        assertNoPassword(e);
        assertEquals(0, tables(target.get("main")));
        assertEquals(0, tables(target.get("b")));
        assertEquals(1, tables(target.get("c")));

        FoundupsDbException same = assertThrows(FoundupsDbException.class, () -> FoundupsDb.configure()
                .databaseUrl(target.get("main")).restoreSet(set).shardUrl("b", target.get("b"))
                .shardUrl("c", target.get("b")).restore());
        assertEquals(ErrorCode.CONFIGURATION, same.errorCode());
        assertTrue(same.getMessage().contains("shard 'c' would be restored into")
                && same.getMessage().contains("the database of shard 'b'"), same.getMessage());
        assertEquals(0, tables(target.get("b")));

        FoundupsDbException main = assertThrows(FoundupsDbException.class, () -> FoundupsDb.configure()
                .restoreSet(set).shardUrl("main", target.get("b")));
        assertEquals(ErrorCode.CONFIGURATION, main.errorCode());
        FoundupsDbException unknown = assertThrows(FoundupsDbException.class, () -> FoundupsDb.configure()
                .databaseUrl(target.get("main")).restoreSet(set).shardUrl("d", target.get("b")).restore());
        assertTrue(unknown.getMessage().contains("shard 'd', which the backup set does not hold; it holds main, b, "
                + "c"), unknown.getMessage());
    }

    @Test
    void anInconsistentSetIsRefusedSayingWhyUnlessAllowed() throws Exception {
        Path set = dir.resolve("moved");
        try (FoundupsDb db = sharded()) {
            ShardedBackup.afterShard = shard -> {
                if (shard.equals("main")) {
                    db.catalog().move(NamespaceKind.FOUNDUP, "fu_b", "c");
                }
            };
            assertFalse(db.backup(set).consistent());
        }
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> restore(set));
        assertEquals(ErrorCode.BACKUP, e.errorCode());
        assertTrue(e.getMessage().contains("is not consistent: FoundUp id 'fu_b' moved during the backup: on shard "
                + "'b' (epoch 1) when it began, on shard 'c' (epoch 2) when it ended")
                && e.getMessage().contains("allowInconsistent(true) (--allow-inconsistent)"), e.getMessage());
        for (String shard : SHARDS) {
            assertEquals(0, tables(target.get(shard)), shard);
        }

        RestoreResult allowed = FoundupsDb.configure().databaseUrl(target.get("main")).restoreSet(set)
                .shardUrl("b", target.get("b")).shardUrl("c", target.get("c")).allowInconsistent(true).restore();
        assertEquals(SHARDS, allowed.shards().stream().map(RestoreResult.ShardRestore::shard).toList());
        try (FoundupsDb restored = FoundupsDb.configure().databaseUrl(target.get("main")).open()) {
            assertEquals("User on c", restored.foundUp("fu_c").user("u1").orElseThrow().getUsername());
        }
    }

    @Test
    void aMissingOrTruncatedArchiveOrAnUnknownManifestIsRefusedBeforeAnythingIsRestored() throws Exception {
        Path set = backup();
        Path c = set.resolve("c.dump");
        byte[] whole = Files.readAllBytes(c);
        Files.write(c, Arrays.copyOf(whole, whole.length / 2), StandardOpenOption.TRUNCATE_EXISTING);
        FoundupsDbException truncated = assertThrows(FoundupsDbException.class, () -> restore(set));
        assertEquals(ErrorCode.BACKUP, truncated.errorCode());
        assertTrue(truncated.getMessage().contains("archive c.dump of shard 'c' in the backup set " + set + " has "
                + whole.length / 2 + " bytes where the manifest records " + whole.length), truncated.getMessage());

        Files.write(c, whole, StandardOpenOption.TRUNCATE_EXISTING);
        Files.delete(set.resolve("b.dump"));
        FoundupsDbException missing = assertThrows(FoundupsDbException.class, () -> restore(set));
        assertTrue(missing.getMessage().startsWith("archive b.dump of shard 'b' is missing from the backup set "),
                missing.getMessage());

        Path manifest = set.resolve("manifest.json");
        String text = Files.readString(manifest, StandardCharsets.UTF_8);
        Files.writeString(manifest, text.replace("\"version\" : 1", "\"version\" : 99"), StandardCharsets.UTF_8);
        FoundupsDbException version = assertThrows(FoundupsDbException.class, () -> FoundupsDb.configure()
                .databaseUrl(target.get("main")).restore(manifest));
        assertTrue(version.getMessage().contains("is of version 99, which this release of FoundUps DB does not know"),
                version.getMessage());
        for (String shard : SHARDS) {
            assertEquals(0, tables(target.get(shard)), shard);
        }
    }

    @Test
    void aShardThatFailsMidwayIsNamedAndRestoringItAloneFinishesTheJob() throws Exception {
        Path set = backup();
        // Someone writes into c's target after the checks: its pg_restore is refused, b's goes on.
        ShardedRestore.afterShard = shard -> {
            if (shard.equals("main")) {
                try (Connection conn = DriverManager.getConnection(target.get("c"));
                     Statement st = conn.createStatement()) {
                    st.execute("CREATE TABLE in_the_way (id INT PRIMARY KEY)");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> restore(set));
        assertEquals(ErrorCode.BACKUP, e.errorCode());
        assertTrue(e.getMessage().contains("stopped: restored main, b; NOT restored: c (")
                && e.getMessage().contains("onlyShards(\"c\") (foundups-db restore SET --only-shard c)")
                && e.getMessage().contains("Do not restore main, b again"), e.getMessage());
        assertNoPassword(e);
        assertEquals(1, count(target.get("b"), "foundups_fu_b_users", "u1"));
        assertEquals(1, tables(target.get("c")), "c's restore was one transaction: only the table in the way");

        ShardedRestore.afterShard = shard -> { };
        try (Connection conn = DriverManager.getConnection(target.get("c")); Statement st = conn.createStatement()) {
            st.execute("DROP TABLE in_the_way");
        }
        RestoreResult rest = FoundupsDb.configure().databaseUrl(target.get("main")).restoreSet(set)
                .shardUrl("b", target.get("b")).shardUrl("c", target.get("c")).onlyShards("c").restore();
        assertEquals(List.of("c"), rest.shards().stream().map(RestoreResult.ShardRestore::shard).toList());
        try (FoundupsDb restored = FoundupsDb.configure().databaseUrl(target.get("main")).open()) {
            for (String shard : SHARDS) {
                assertEquals("User on " + shard, restored.foundUp("fu_" + shard).user("u1").orElseThrow()
                        .getUsername());
            }
        }
        assertEquals(List.of("c"), holders("foundups_fu_c_users"));
    }

    private RestoreResult restore(Path set) {
        return FoundupsDb.configure().databaseUrl(target.get("main")).restoreSet(set)
                .shardUrl("b", target.get("b")).shardUrl("c", target.get("c")).restore();
    }

    private static void assertNoPassword(Exception e) {
        assertFalse(e.getMessage().contains("password=postgres") || e.getMessage().contains(":postgres@"),
                e.getMessage());
    }

    /** @return the database name in a (possibly masked) JDBC URL */
    private static String databaseName(String url) {
        return url.replaceFirst("^jdbc:postgresql://[^/]*/([^?]*).*$", "$1");
    }

    /** @return the restored shards whose database has the table, by shard order */
    private List<String> holders(String table) throws SQLException {
        List<String> found = new ArrayList<>();
        for (String shard : SHARDS) {
            try (Connection conn = DriverManager.getConnection(target.get(shard));
                 ResultSet rs = conn.getMetaData().getTables(null, "public", table, null)) {
                if (rs.next()) {
                    found.add(shard);
                }
            }
        }
        return found;
    }

    /** @return the restored shards whose database has rows of this agent in the table */
    private List<String> holdersOf(String table, String agent) throws SQLException {
        List<String> found = new ArrayList<>();
        for (String shard : SHARDS) {
            if (count(target.get(shard), table, agent) > 0) {
                found.add(shard);
            }
        }
        return found;
    }

    /** @return rows whose key (a user's id, an agent's id) is the value; table names are the test's own */
    private static int count(String url, String table, String key) throws SQLException {
        String column = table.startsWith("agents_") ? "agent_id" : "id";
        try (Connection conn = DriverManager.getConnection(url);
             PreparedStatement st = conn.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE " + column
                     + " = ?")) {
            st.setString(1, key);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static int tables(String url) throws SQLException {
        try (Connection conn = DriverManager.getConnection(url); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM information_schema.tables "
                     + "WHERE table_schema = 'public'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** @return name to shard of the directory's placements of one kind, read with JDBC */
    private static Map<String, String> placements(String main, String kind) throws SQLException {
        Map<String, String> found = new TreeMap<>();
        try (Connection conn = DriverManager.getConnection(main);
             PreparedStatement st = conn.prepareStatement("SELECT name, shard FROM foundupsdb_placements "
                     + "WHERE kind = ?")) {
            st.setString(1, kind);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return found;
    }
}
