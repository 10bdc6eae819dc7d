package dev.foundups.db.internal.moves;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import dev.foundups.db.FoundUp;

/**
 * What every move test works with: the shared servers, a stand-in directory whose flips count down a latch per
 * {@code KIND:name}, the engine, and the set-ups and checks the tests share.
 */
final class MoveFixture {

    final MoveServers servers;
    final TestDirectory directory;
    final Moves moves;
    private final Map<String, CountDownLatch> flips = new ConcurrentHashMap<>();

    MoveFixture() throws Exception {
        servers = MoveServers.shared();
        directory = new TestDirectory(servers.urls(), label -> flipped(label).countDown());
        moves = new Moves(directory, servers.db("main").dsl(), MoveFixture.class.getClassLoader());
    }

    /** @return counted down once the directory has flipped {@code KIND:name} */
    CountDownLatch flipped(String label) {
        return flips.computeIfAbsent(label, k -> new CountDownLatch(1));
    }

    /** Creates a FoundUp on a shard with one user and {@code rows} content rows, and places it there. */
    FoundUp foundUp(String shard, String name, int rows) throws SQLException {
        FoundUp f = servers.db(shard).foundUp(name);
        f.addUser("u", "user");
        servers.execute(shard, "INSERT INTO foundups_" + name + "_content (user_id, content, metadata) "
                + "SELECT 'u', 'seed ' || g, ('{\"g\": ' || g || '}')::json FROM generate_series(1, " + rows + ") g");
        directory.place(Moves.FOUNDUP, name, shard);
        return f;
    }

    long count(String shard, String sql) throws SQLException {
        return Long.parseLong(servers.query(shard, sql));
    }

    /** @return the FoundUp's content rows on a shard (in place; 0 when its table is not there) */
    long contentRows(String shard, String name) throws SQLException {
        if (count(shard, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'foundups_"
                + name + "_content'") == 0) {
            return 0;
        }
        return count(shard, "SELECT count(*) FROM foundups_" + name + "_content");
    }

    /** @return a checksum of the FoundUp's content rows on a shard, order-independent */
    String contentSum(String shard, String name) throws SQLException {
        return servers.query(shard, "SELECT count(*) || ':' || coalesce(sum(('x' || substr(md5(c::text), 1, 16))"
                + "::bit(64)::bigint), 0) FROM foundups_" + name + "_content c");
    }

    /** Nothing of the namespace, and nothing of any move of it, is left on a shard it left. */
    void assertGoneFrom(String shard, String name) throws SQLException {
        assertEquals(0, count(shard, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'foundups\\_" + name
                + "\\_%'"), "tables of " + name + " on " + shard);
        assertEquals(0, count(shard, "SELECT count(*) FROM foundupsdb_namespaces WHERE name = '" + name + "'"),
                "catalog row of " + name + " on " + shard);
        assertNoReplicationObjects(shard, name);
    }

    /** No publication, slot or subscription of a move of the namespace on a shard. */
    void assertNoReplicationObjects(String shard, String name) throws SQLException {
        String object = "fdbmove_foundups_" + name;
        assertEquals(0, count(shard, "SELECT count(*) FROM pg_publication WHERE pubname = '" + object + "'"),
                "publication on " + shard);
        assertEquals(0, count(shard, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + object + "'"),
                "replication slot on " + shard);
        assertEquals(0, count(shard, "SELECT count(*) FROM pg_subscription WHERE subname = '" + object + "'"),
                "subscription on " + shard);
    }

    /** No slot (the subscriptions' table copies' included), publication or subscription at all on a shard. */
    void assertNoReplicationObjectsAt(String shard) throws SQLException {
        assertEquals("0/0/0", servers.query(shard, "SELECT (SELECT count(*) FROM pg_replication_slots) || '/' || "
                + "(SELECT count(*) FROM pg_publication) || '/' || (SELECT count(*) FROM pg_subscription)"),
                "slots/publications/subscriptions on " + shard);
    }

    /** The directory places the name on the shard, ACTIVE. */
    void assertPlaced(String kind, String name, String shard) {
        Moves.Placement p = directory.placement(kind, name);
        assertEquals(shard + "/ACTIVE", p.shard() + "/" + p.state(), kind + ":" + name);
    }
}
