package dev.foundups.db.internal.sharding;

import static dev.foundups.db.jooq.Tables.FOUNDUP_CONTENT;
import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.testing.ShardServers;

/**
 * The fence a move puts up, done here by hand as a mover does it, while a writer writes single statements
 * (compiled queries and plain jOOQ ones) to the namespace all along: every acknowledged write ends up on the new
 * shard, none after the fence on the old one, and a transaction caught by the fence fails with NAMESPACE_MOVED.
 */
class MoveFenceTest {

    @Test
    void writesThatMeetTheFenceFollowTheNamespaceToItsNewShard() throws Exception {
        String main = ShardServers.newDatabaseUrl(0);
        String b = ShardServers.newDatabaseUrl(1);
        String c = ShardServers.newDatabaseUrl(0);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(main).open();
             Connection directoryConnection = DriverManager.getConnection(main)) {
            db.shards().add("b", b);
            db.shards().add("c", c);
            db.catalog().create(NamespaceKind.FOUNDUP, "hot", "b");
            FoundUp hot = db.foundUp("hot"); // kept for the whole test, as module code keeps its handles
            hot.addUser("u0", "First");

            Map<String, Long> users = new ConcurrentHashMap<>(); // acknowledged user id -> when it was sent
            Map<Long, Long> contents = new ConcurrentHashMap<>(); // acknowledged content id -> when it was sent
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                for (int i = 1; !stop.get(); i++) {
                    try {
                        long sent = System.nanoTime();
                        hot.addUser("u" + i, "User " + i); // a compiled query
                        users.put("u" + i, sent);
                        sent = System.nanoTime();
                        long id = hot.dsl().insertInto(FOUNDUP_CONTENT) // plain jOOQ
                                .set(FOUNDUP_CONTENT.USER_ID, "u0").set(FOUNDUP_CONTENT.CONTENT, "c" + i)
                                .returning(FOUNDUP_CONTENT.ID).fetchSingle().getId();
                        contents.put(id, sent);
                    } catch (Throwable t) {
                        errors.add(t);
                        return;
                    }
                }
            }, "writer");
            writer.start();
            awaitSize(users, 30, writer, errors);

            Directory directory = new Directory(DSL.using(directoryConnection, SQLDialect.POSTGRES));
            Placement before = directory.placement(Placement.Kind.FOUNDUP, "hot").orElseThrow();
            assertEquals("b", before.shard());
            assertTrue(directory.markMoving(before));
            try (FoundupsDb target = FoundupsDb.configure().databaseUrl(c).open()) {
                target.catalog().create(NamespaceKind.FOUNDUP, "hot"); // the tables on the new shard
            }
            long fenced;
            try (Connection source = DriverManager.getConnection(b); Connection copy = DriverManager.getConnection(c);
                 Statement st = source.createStatement()) {
                source.setAutoCommit(false);
                copy.setAutoCommit(false);
                // Referencing table first, as the mover's Fence does: an insert into content holds its lock there
                // and then wants users' for the foreign key check; locking users first deadlocks with it.
                st.execute("LOCK TABLE foundups_hot_content, foundups_hot_users IN ACCESS EXCLUSIVE MODE");
                st.execute("CREATE SCHEMA IF NOT EXISTS foundupsdb_moved");
                st.execute("ALTER TABLE foundups_hot_content SET SCHEMA foundupsdb_moved");
                st.execute("ALTER TABLE foundups_hot_users SET SCHEMA foundupsdb_moved");
                copyRows(source, copy, "SELECT id, username, active, created_at "
                                + "FROM foundupsdb_moved.foundups_hot_users",
                        "INSERT INTO foundups_hot_users (id, username, active, created_at) VALUES (?, ?, ?, ?)");
                copyRows(source, copy, "SELECT id, user_id, content, metadata::text, created_at "
                                + "FROM foundupsdb_moved.foundups_hot_content",
                        "INSERT INTO foundups_hot_content (id, user_id, content, metadata, created_at) "
                                + "VALUES (?, ?, ?, ?::json, ?)");
                try (Statement target = copy.createStatement()) {
                    target.execute("SELECT setval(pg_get_serial_sequence('foundups_hot_content', 'id'), "
                            + "(SELECT max(id) FROM foundups_hot_content))");
                }
                copy.commit();
                Thread.sleep(200); // writers queue on the lock
                source.commit();
                fenced = System.nanoTime();
            }
            Thread.sleep(200); // writers meet the fence and wait for the directory

            // A transaction that meets the fence cannot be replayed: it fails, and writes nothing.
            FoundupsDbException moved = assertThrows(FoundupsDbException.class, () -> hot.dsl().transaction(tx ->
                    tx.dsl().insertInto(FOUNDUP_USERS).set(FOUNDUP_USERS.ID, "in_tx").set(FOUNDUP_USERS.USERNAME, "T")
                            .execute()));
            assertEquals(ErrorCode.NAMESPACE_MOVED, moved.errorCode(), moved.getMessage());

            Placement after = directory.flip(before, "c");
            assertEquals(before.epoch() + 1, after.epoch());
            int atFlip = users.size();
            awaitSize(users, atFlip + 30, writer, errors);
            stop.set(true);
            writer.join(30_000);
            assertEquals(List.of(), errors, "the writer saw no error");

            Set<String> onTarget = strings(c, "SELECT id FROM foundups_hot_users");
            assertEquals(withFirst(users.keySet()), onTarget, "every acknowledged user, once, and nothing else");
            Set<String> contentOnTarget = strings(c, "SELECT id FROM foundups_hot_content");
            assertEquals(contents.size(), contentOnTarget.size());
            for (Long id : contents.keySet()) {
                assertTrue(contentOnTarget.contains(String.valueOf(id)), "content " + id);
            }
            assertFalse(strings(b, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                    .contains("foundups_hot_users"), "the old tables are out of the way");
            Set<String> onSource = strings(b, "SELECT id FROM foundupsdb_moved.foundups_hot_users");
            long afterFence = users.entrySet().stream().filter(e -> e.getValue() > fenced).count();
            assertTrue(afterFence > 0, "writes went on after the fence");
            for (Map.Entry<String, Long> e : users.entrySet()) {
                if (e.getValue() > fenced) {
                    assertFalse(onSource.contains(e.getKey()), e.getKey() + " was sent after the fence");
                }
            }
            Set<String> contentOnSource = strings(b, "SELECT id FROM foundupsdb_moved.foundups_hot_content");
            for (Map.Entry<Long, Long> e : contents.entrySet()) {
                if (e.getValue() > fenced) {
                    assertFalse(contentOnSource.contains(String.valueOf(e.getKey())), "content " + e.getKey());
                }
            }
            assertFalse(onSource.contains("in_tx"));
            assertEquals("First", db.foundUp("hot").user("u0").orElseThrow().getUsername());
        }
    }

    private static Set<String> withFirst(Set<String> acknowledged) {
        Set<String> all = new HashSet<>(acknowledged);
        all.add("u0");
        return all;
    }

    /** Waits for the writer's progress; when it stalls, says what it was doing or what it got. */
    private static void awaitSize(Map<?, ?> map, int size, Thread writer, List<Throwable> errors)
            throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (map.size() < size) {
            if (!errors.isEmpty()) {
                throw new AssertionError("the writer failed at " + map.size(), errors.get(0));
            }
            if (System.nanoTime() > deadline) {
                StringBuilder stack = new StringBuilder();
                for (StackTraceElement frame : writer.getStackTrace()) {
                    stack.append("\n\tat ").append(frame);
                }
                throw new AssertionError("the writer stalled at " + map.size() + " (" + writer.getState() + ")"
                        + stack);
            }
            Thread.sleep(5);
        }
    }

    private static void copyRows(Connection from, Connection to, String select, String insert) throws SQLException {
        try (Statement st = from.createStatement(); ResultSet rs = st.executeQuery(select);
             PreparedStatement ps = to.prepareStatement(insert)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= columns; i++) {
                    ps.setObject(i, rs.getObject(i));
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static Set<String> strings(String url, String sql) throws SQLException {
        Set<String> values = new HashSet<>();
        try (Connection connection = DriverManager.getConnection(url); Statement st = connection.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
