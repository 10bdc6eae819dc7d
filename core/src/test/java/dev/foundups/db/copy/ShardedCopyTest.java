package dev.foundups.db.copy;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static dev.foundups.db.jooq.Tables.AGENTS_ERRORS;
import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;
import static dev.foundups.db.jooq.Tables.CHAT_RULES_MODERATORS;
import static dev.foundups.db.jooq.Tables.CHAT_RULES_TIMEOUTS;
import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jooq.DSLContext;
import org.jooq.Record1;
import org.jooq.Table;
import org.jooq.impl.DSL;
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
import dev.foundups.db.testing.ShardServers;

/**
 * A SQLite FoundUps DB copied onto a sharded cluster (main and two shards, on three PostgreSQL servers), then read
 * back as the cluster's users would: through the typed API, and with plain JDBC on each shard to see what landed
 * where.
 */
class ShardedCopyTest {

    private static final int FOUNDUPS = 7;
    private static final int AGENTS = 6;

    @TempDir
    Path dir;

    String source;
    String main;
    Map<String, String> shards;

    @BeforeEach
    void cluster() throws Exception {
        source = CopySource.create(dir, 0);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(source).open()) {
            for (int i = 0; i < FOUNDUPS; i++) {
                FoundUp fu = db.foundUp("fu_" + i);
                fu.addUser("u" + i, "User " + i);
                fu.addContent("u" + i, "post of fu_" + i, "{\"i\": " + i + "}");
            }
            for (int i = 0; i < AGENTS; i++) {
                db.agents().recordAwakening("agent_" + i, "0102", "koan " + i);
                for (int p = 0; p <= i; p++) {
                    db.agents().learnPattern("agent_" + i, "style", "{\"p\": " + p + "}");
                }
            }
            db.agents().learnPattern(null, "nobody's", "{}"); // a pattern of no agent
        }
        main = ShardServers.newDatabaseUrl(0);
        shards = new TreeMap<>(Map.of("main", main, "b", ShardServers.newDatabaseUrl(1),
                "c", ShardServers.newDatabaseUrl(2)));
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(main).open()) {
            db.shards().add("b", shards.get("b"));
            db.shards().add("c", shards.get("c"));
        }
    }

    @Test
    void everyNamespaceAndAgentGoesToAShardByThePlacementRuleAndReadsBack() throws Exception {
        CopyReport report = DatabaseCopy.from(source).to(main).load().run();
        assertTrue(report.verified(), report.mismatches().toString());
        assertTrue(report.sharded());
        assertEquals(List.of("main", "b", "c"), report.shards().stream().map(CopyReport.ShardResult::shard).toList());
        assertTrue(report.tables().stream().allMatch(t -> shards.containsKey(t.shard())), "each compared on a shard");
        assertTrue(DatabaseCopy.from(source).to(main).load().verify().verified());

        try (FoundupsDb from = FoundupsDb.configure().databaseUrl(source).open();
             FoundupsDb to = FoundupsDb.configure().databaseUrl(main).open()) {
            // The catalog, merged over the shards, is the source's, times and dropped namespaces included.
            assertEquals(byLabel(from.catalog().list()), byLabel(to.catalog().list()));
            assertEquals(NamespaceState.DROPPED, to.catalog().find(NamespaceKind.FOUNDUP, "gone").orElseThrow()
                    .state());

            // Every row through the typed API, wherever its namespace or agent went.
            List<String> foundUps = live(from, NamespaceKind.FOUNDUP);
            for (String id : foundUps) {
                assertEquals(from.foundUp(id).users(), to.foundUp(id).users(), id);
                assertEquals(from.foundUp(id).content(), to.foundUp(id).content(), id);
            }
            assertEquals(rows(ChatRules.of(from).dsl(), CHAT_RULES_MODERATORS),
                    rows(ChatRules.of(to).dsl(), CHAT_RULES_MODERATORS));
            assertEquals(rows(ChatRules.of(from).dsl(), CHAT_RULES_TIMEOUTS),
                    rows(ChatRules.of(to).dsl(), CHAT_RULES_TIMEOUTS));
            List<String> agents = agents(from);
            assertEquals(AGENTS + 2, agents.size(), agents.toString()); // CopySource's two and this test's
            for (String agent : agents) {
                assertEquals(from.agents().awakening(agent), to.agents().awakening(agent), agent);
                assertEquals(from.agents().patterns(agent), to.agents().patterns(agent), agent);
            }
            for (String hash : List.of("h1", "h2")) {
                assertEquals(from.agents().error(hash), to.agents().error(hash), hash);
            }

            // Spread by the rule new placements follow: each went to the shard with the fewest placements, so no
            // shard has more than one placement more than another, and each got namespaces.
            Map<String, ShardInfo> listed = new TreeMap<>();
            to.shards().list().forEach(s -> listed.put(s.name(), s));
            int most = listed.values().stream().mapToInt(s -> s.namespaces() + s.agents()).max().orElseThrow();
            int fewest = listed.values().stream().mapToInt(s -> s.namespaces() + s.agents()).min().orElseThrow();
            assertTrue(most - fewest <= 1, listed.toString());
            assertTrue(listed.values().stream().allMatch(s -> s.namespaces() > 0), listed.toString());
            assertEquals(0, count(main, "SELECT count(*) FROM foundupsdb_placements WHERE state <> 'ACTIVE'"),
                    "every placement the copy made is complete");
            // The imported module has no template to be created elsewhere, and is read through db.dsl(): on main.
            assertEquals("main", placement("MODULE", "chat_legacy"));
            assertEquals(3, to.dsl().fetchCount(DSL.table(DSL.name("modules_chat_legacy_notes"))));

            // What landed where, seen on each shard's own database: a FoundUp's tables and rows only on the shard
            // the directory names; an agent's rows likewise; errors and patterns of no agent on main.
            for (String id : foundUps) {
                String shard = placement("FOUNDUP", id);
                for (Map.Entry<String, String> e : shards.entrySet()) {
                    assertEquals(e.getKey().equals(shard), tableExists(e.getValue(), "foundups_" + id + "_users"),
                            id + " placed on " + shard + ", looked on " + e.getKey());
                }
                assertEquals(from.foundUp(id).users().size(), count(shards.get(shard),
                        "SELECT count(*) FROM foundups_" + id + "_users"));
            }
            for (String agent : agents) {
                String shard = placement("AGENT", agent);
                for (Map.Entry<String, String> e : shards.entrySet()) {
                    long expected = e.getKey().equals(shard) ? from.agents().patterns(agent).size() : 0;
                    assertEquals(expected, count(e.getValue(), "SELECT count(*) FROM agents_memory WHERE agent_id = ?",
                            agent), agent + " on " + e.getKey());
                    assertEquals(e.getKey().equals(shard) ? 1 : 0, count(e.getValue(),
                            "SELECT count(*) FROM agents_awakening WHERE agent_id = ?", agent), agent);
                }
            }
            assertEquals(1, count(main, "SELECT count(*) FROM agents_memory WHERE agent_id IS NULL"));
            assertEquals(from.dsl().fetchCount(AGENTS_ERRORS), count(main, "SELECT count(*) FROM agents_errors"));
            for (String shard : List.of("b", "c")) {
                assertEquals(0, count(shards.get(shard), "SELECT count(*) FROM agents_errors"), shard);
            }

            // The report says the same as the directory.
            for (CopyReport.ShardResult s : report.shards()) {
                assertEquals(listed.get(s.shard()).namespaces(), s.modules().size() + s.foundUps().size(), s.shard());
                assertEquals(listed.get(s.shard()).agents(), s.agents().size(), s.shard());
                for (String id : s.foundUps()) {
                    assertEquals(s.shard(), placement("FOUNDUP", id), id);
                }
                for (String agent : s.agents()) {
                    assertEquals(s.shard(), placement("AGENT", agent), agent);
                }
                assertTrue(s.describe().startsWith(s.shard() + ": "), s.describe());
            }

            // The cluster goes on: ids continue after the copied ones on each shard; new namespaces are placed.
            long next = to.agents().learnPattern("agent_5", "style", "{}");
            assertTrue(next > from.agents().patterns("agent_5").get(5).getId(), "id " + next);
            assertEquals(CopySource.BIG_ID + 1, to.foundUp("big_ids").addContent("u", "next", (String) null));
            to.foundUp("after_copy").addUser("a", "A");
            assertTrue(tableExists(shards.get(placement("FOUNDUP", "after_copy")), "foundups_after_copy_users"));
        }
    }

    @Test
    void aVerificationComparesEachTableOnItsShardAndNamesTheShardOfADifference() throws Exception {
        assertTrue(DatabaseCopy.from(source).to(main).load().run().verified());
        assertTrue(DatabaseCopy.from(source).to(main).load().verify().verified());
        String shard = placement("FOUNDUP", "fu_2");
        execute(shards.get(shard), "UPDATE foundups_fu_2_users SET username = 'changed'");
        String agentShard = placement("AGENT", "agent_3");
        execute(shards.get(agentShard), "DELETE FROM agents_memory WHERE agent_id = 'agent_3'");
        CopyReport changed = DatabaseCopy.from(source).to(main).load().verify();
        assertFalse(changed.verified());
        int patterns;
        try (FoundupsDb from = FoundupsDb.configure().databaseUrl(source).open()) {
            patterns = from.agents().patterns("agent_3").size();
        }
        List<CopyReport.TableResult> memory = changed.mismatches().stream()
                .filter(t -> t.table().equals("agents_memory")).toList();
        assertEquals(1, memory.size(), memory.toString());
        assertEquals(patterns, memory.get(0).sourceRows() - memory.get(0).targetRows());
        assertEquals("agents_memory on shard '" + agentShard + "': " + memory.get(0).sourceRows() + " rows in the "
                + "source, " + memory.get(0).targetRows() + " in the target", memory.get(0).describe());
        assertEquals(List.of("foundups_fu_2_users on shard '" + shard + "'"), changed.mismatches().stream()
                .filter(t -> t.table().startsWith("foundups_"))
                .map(t -> t.describe().substring(0, t.describe().indexOf(':'))).toList());
        assertEquals(2, changed.mismatches().size(), changed.mismatches().toString());

    }

    @Test
    void aTableThatFailsStopsTheCopyAndAResumedRunFinishesIt() throws Exception {
        // A table made to fail on its shard once the namespaces exist: a trigger refuses every row.
        String[] failing = new String[1];
        CopyListener sabotage = new CopyListener() {
            @Override
            public void started(int tables, long rows) {
                failing[0] = shards.get(uncheckedPlacement("FOUNDUP", "fu_4"));
                execute(failing[0], "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                        + "$$ BEGIN RAISE EXCEPTION 'disk full (test)'; END $$");
                execute(failing[0], "CREATE TRIGGER refuse BEFORE INSERT ON foundups_fu_4_content "
                        + "FOR EACH ROW EXECUTE FUNCTION refuse()");
            }
        };
        FoundupsDbException failed = assertThrows(FoundupsDbException.class,
                () -> DatabaseCopy.from(source).to(main, "--to").listener(sabotage).load().run());
        String shard = placement("FOUNDUP", "fu_4");
        assertEquals(ErrorCode.TRANSFER, failed.errorCode());
        assertTrue(failed.getMessage().startsWith("cannot copy foundups_fu_4_content to shard '" + shard + "': "),
                failed.getMessage());
        assertTrue(failed.getMessage().contains("disk full (test)"), failed.getMessage());
        assertTrue(failed.getMessage().endsWith("fix the cause, then run the copy again with --resume to go on (or "
                + "--restart to start over)"), failed.getMessage());
        assertFalse(failed.getMessage().contains("password=postgres"), failed.getMessage());
        assertTrue(count(main, "SELECT count(*) FROM foundupsdb_placements WHERE state = 'PLACING'") > 0,
                "half-filled namespaces are not marked placed");

        FoundupsDbException refused = assertThrows(FoundupsDbException.class,
                () -> DatabaseCopy.from(source).to(main, "--to").load().run());
        assertTrue(refused.getMessage().contains(" holds an interrupted copy from "), refused.getMessage());
        assertTrue(refused.getMessage().endsWith("add --resume to go on with it, or --restart to start over"),
                refused.getMessage());

        execute(failing[0], "DROP TRIGGER refuse ON foundups_fu_4_content"); // the cause, fixed
        List<String> skipped = new ArrayList<>();
        CopyReport report = DatabaseCopy.from(source).to(main).existingTarget(ExistingTarget.RESUME)
                .listener(new CopyListener() {
                    @Override
                    public void tableSkipped(String table, long rows) {
                        skipped.add(table);
                    }
                }).load().run();
        assertTrue(report.verified(), report.mismatches().toString());
        assertFalse(skipped.isEmpty(), "the tables the first run finished are not copied again");
        assertFalse(skipped.contains("foundups_fu_4_content"));
        assertEquals(shard, placement("FOUNDUP", "fu_4"), "the rerun used the shard the first run chose");
        assertEquals(0, count(main, "SELECT count(*) FROM foundupsdb_placements WHERE state <> 'ACTIVE'"));
        try (FoundupsDb from = FoundupsDb.configure().databaseUrl(source).open();
             FoundupsDb to = FoundupsDb.configure().databaseUrl(main).open()) {
            for (String id : live(from, NamespaceKind.FOUNDUP)) {
                assertEquals(from.foundUp(id).content(), to.foundUp(id).content(), id);
            }
            for (String agent : agents(from)) {
                assertEquals(from.agents().patterns(agent), to.agents().patterns(agent), agent);
            }
        }
    }

    @Test
    void anUnreachableShardStopsTheCopyBeforeAnythingIsWritten() throws Exception {
        execute(main, "UPDATE foundupsdb_shards SET url = '" + ShardServers.unreachableUrl() + "' WHERE name = 'c'");
        FoundupsDbException down = assertThrows(FoundupsDbException.class,
                () -> DatabaseCopy.from(source).to(main, "--to").load().run());
        assertEquals(ErrorCode.DB_CONNECTION, down.errorCode());
        assertTrue(down.getMessage().startsWith("cannot connect to shard 'c' at "), down.getMessage());
        assertTrue(down.getMessage().contains("nothing was written. Bring the shard back (or correct its URL in "
                + "foundupsdb_shards), then run the copy again"), down.getMessage());
        assertFalse(down.getMessage().contains(":postgres@"), down.getMessage());
        assertEquals(0, count(main, "SELECT count(*) FROM foundupsdb_placements"));
        assertEquals(0, count(main, "SELECT count(*) FROM foundupsdb_copy"));

        execute(main, "UPDATE foundupsdb_shards SET url = '" + shards.get("c") + "' WHERE name = 'c'");
        CopyReport report = DatabaseCopy.from(source).to(main).load().run();
        assertTrue(report.verified(), report.mismatches().toString());
        assertTrue(report.shards().stream().allMatch(s -> s.foundUps().size() + s.modules().size() > 0),
                report.shards().toString());
    }

    @Test
    void aClusterWithDataIsRefusedAndReplaceEmptiesItKeepingItsShards() throws Exception {
        assertTrue(DatabaseCopy.from(source).to(main).load().run().verified());
        String extraShard;
        try (FoundupsDb to = FoundupsDb.configure().databaseUrl(main).open()) {
            to.foundUp("extra").addUser("x", "X");
            extraShard = placement("FOUNDUP", "extra");
        }
        FoundupsDbException refused = assertThrows(FoundupsDbException.class,
                () -> DatabaseCopy.from(source).to(main, "--to").load().run());
        assertEquals(ErrorCode.TRANSFER, refused.errorCode());
        assertTrue(refused.getMessage().contains(" is not empty, tables hold rows on main: "), refused.getMessage());
        for (String shard : List.of("b", "c")) {
            assertTrue(refused.getMessage().contains("; shard '" + shard + "': "), "names what each shard holds: "
                    + refused.getMessage());
        }
        assertTrue(refused.getMessage().endsWith("Copy into an empty sharded database, or add --replace to empty "
                + "main and every shard first (the shards stay registered)"), refused.getMessage());

        CopyReport replaced = DatabaseCopy.from(source).to(main).existingTarget(ExistingTarget.REPLACE).load().run();
        assertTrue(replaced.verified(), replaced.mismatches().toString());
        try (FoundupsDb to = FoundupsDb.configure().databaseUrl(main).open()) {
            assertEquals(List.of("b", "c", "main"), to.shards().list().stream().map(ShardInfo::name).toList());
            assertTrue(to.catalog().find(NamespaceKind.FOUNDUP, "extra").isEmpty(), "replaced");
            assertFalse(tableExists(shards.get(extraShard), "foundups_extra_users"));
            assertEquals(live(to, NamespaceKind.FOUNDUP).size() + live(to, NamespaceKind.MODULE).size(),
                    to.shards().list().stream().mapToInt(ShardInfo::namespaces).sum(),
                    "only the copied namespaces are placed");
        }

        // A move left unfinished would write under the copy: every mode refuses, naming the command that ends it.
        execute(main, "INSERT INTO foundupsdb_moves (kind, name, source_shard, target_shard, method, state, step, "
                + "step_done) VALUES ('FOUNDUP', 'fu_1', 'b', 'c', 'OFFLINE', 'RUNNING', 'MARKED', false)");
        FoundupsDbException moving = assertThrows(FoundupsDbException.class, () -> DatabaseCopy.from(source)
                .to(main, "--to").existingTarget(ExistingTarget.REPLACE).load().run());
        assertTrue(moving.getMessage().contains("has an unfinished move of foundup 'fu_1' from shard 'b' to 'c'; "
                + "nothing was written. Finish it first (foundups-db namespace move foundup fu_1 --to c)"),
                moving.getMessage());
    }

    @Test
    void aShardedDatabaseIsRefusedAsASource() throws Exception {
        assertTrue(DatabaseCopy.from(source).to(main).load().run().verified());
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> DatabaseCopy.from(main, "--from")
                .to("jdbc:sqlite:" + dir.resolve("back.db"), "--to").load().run());
        assertEquals(ErrorCode.TRANSFER, e.errorCode());
        assertTrue(e.getMessage().contains(" is sharded: its namespaces and agents are spread over several "
                + "databases, and a copy reads one."), e.getMessage());
    }

    // ---- helpers

    /** The catalog by label: a sharded catalog lists modules first, one database lists by the kind's text. */
    private static Map<String, NamespaceInfo> byLabel(List<NamespaceInfo> catalog) {
        Map<String, NamespaceInfo> map = new TreeMap<>();
        catalog.forEach(n -> map.put(n.label(), n));
        return map;
    }

    private static List<String> live(FoundupsDb db, NamespaceKind kind) {
        return db.catalog().list().stream().filter(n -> n.kind() == kind && n.state() != NamespaceState.DROPPED)
                .map(NamespaceInfo::name).toList();
    }

    private static List<String> agents(FoundupsDb db) {
        TreeSet<String> all = new TreeSet<>(db.dsl().select(AGENTS_AWAKENING.AGENT_ID).from(AGENTS_AWAKENING)
                .fetch(Record1::value1));
        db.dsl().select(AGENTS_MEMORY.AGENT_ID).from(AGENTS_MEMORY).where(AGENTS_MEMORY.AGENT_ID.isNotNull())
                .fetch(Record1::value1).forEach(all::add);
        return List.copyOf(all);
    }

    private static List<Map<String, Object>> rows(DSLContext dsl, Table<?> table) {
        return dsl.selectFrom(table).orderBy(table.getPrimaryKey().getFields()).fetchMaps();
    }

    private String placement(String kind, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(main);
             PreparedStatement st = c.prepareStatement("SELECT shard FROM foundupsdb_placements WHERE kind = ? AND "
                     + "name = ?")) {
            st.setString(1, kind);
            st.setString(2, name);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private String uncheckedPlacement(String kind, String name) {
        try {
            return placement(kind, name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long count(String url, String sql, String... values) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                st.setString(i + 1, values[i]);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void execute(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean tableExists(String url, String table) throws SQLException {
        return count(url, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?",
                table) == 1;
    }
}
