package dev.foundups.db.replicas;

import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.jooq.Field;
import org.jooq.Record1;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.CompiledQuery;
import dev.foundups.db.ConsistencyToken;
import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NodeStatus;
import dev.foundups.db.ReplicationStatus;
import dev.foundups.db.testing.ReplicationCluster;
import dev.foundups.db.testing.ReplicationCluster.Server;

/**
 * Routing on real streaming replication: a primary, a standby that keeps up, and one that applies WAL 200 ms late.
 */
@Timeout(120)
class ReplicaRoutingTest {

    @TempDir
    static Path dir;

    static ReplicationCluster cluster;
    static Server primary;
    static Server fast;
    static Server lagging;
    static final AtomicInteger databases = new AtomicInteger();

    @BeforeAll
    static void startCluster() {
        cluster = ReplicationCluster.start(dir, List.of(Duration.ZERO, Duration.ofMillis(200)), false);
        primary = cluster.server(0);
        fast = cluster.server(1);
        lagging = cluster.server(2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String newDatabase() {
        String name = "routing_" + databases.incrementAndGet();
        cluster.createDatabase(name);
        return name;
    }

    private static FoundupsDb open(String database, Server... replicas) {
        String[] urls = new String[replicas.length];
        for (int i = 0; i < replicas.length; i++) {
            urls[i] = ReplicationCluster.url(replicas[i], database);
        }
        return FoundupsDb.configure().databaseUrl(ReplicationCluster.url(primary, database)).readReplicas(urls)
                .maximumPoolSize(4).open();
    }

    private static NodeStatus node(FoundupsDb db, Server server) {
        return db.replication().orElseThrow().nodes().stream().filter(n -> n.name().equals(server.hostPort()))
                .findFirst().orElseThrow();
    }

    private static void waitFor(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Runs on a thread that has written nothing, as a read-only request handler would. */
    private static <T> T onFreshThread(Callable<T> work) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            return pool.submit(work).get();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void readsReachTheStandbysAndWritesStayOnThePrimary() throws Exception {
        try (FoundupsDb db = open(newDatabase(), fast, lagging)) {
            FoundUp bot = db.foundUp("bot");
            bot.addUser("u1", "One");
            bot.dsl().insertInto(FOUNDUP_USERS).set(FOUNDUP_USERS.ID, "u2").set(FOUNDUP_USERS.USERNAME, "Two")
                    .execute();
            waitFor("both standbys replayed the writes", Duration.ofSeconds(30),
                    () -> node(db, fast).lagBytes() == 0 && node(db, lagging).lagBytes() == 0);
            long before = db.replication().orElseThrow().readsOnReplicas();
            int reads = onFreshThread(() -> {
                int seen = 0;
                for (int i = 0; i < 100; i++) {
                    seen += bot.users().size();                     // jOOQ through the namespace's context
                    seen += bot.user("u1").isPresent() ? 1 : 0;    // a compiled query
                }
                return seen;
            });
            assertEquals(300, reads);
            ReplicationStatus status = db.replication().orElseThrow();
            assertTrue(status.readsOnReplicas() - before >= 190, "reads on replicas: " + status);
            assertTrue(node(db, fast).reads() > 20, "the fast standby served reads: " + status);
            assertTrue(node(db, lagging).reads() > 20, "the lagging standby (within the 1 s limit) served reads: "
                    + status);
            assertEquals(NodeStatus.Role.PRIMARY, status.nodes().get(0).role());
            assertEquals(primary.hostPort(), status.nodes().get(0).name());
            // Standbys are read-only: had a write reached one, it would have failed.
            assertEquals("2", cluster.query(primary, dbName(db), "SELECT count(*) FROM foundups_bot_users"));
        }
    }

    @Test
    void readYourWritesHoldsWithALaggingReplica() throws Exception {
        try (FoundupsDb db = open(newDatabase(), lagging)) {
            FoundUp bot = db.foundUp("ryw");
            waitFor("the lagging standby replayed the new tables", Duration.ofSeconds(30),
                    () -> node(db, lagging).lagBytes() == 0);
            for (int i = 0; i < 50; i++) {
                String id = "user" + i;
                if (i % 2 == 0) {
                    bot.addUser(id, "U" + i);
                } else {
                    bot.dsl().insertInto(FOUNDUP_USERS).set(FOUNDUP_USERS.ID, id).set(FOUNDUP_USERS.USERNAME, "U" + i)
                            .execute();
                }
                assertTrue(bot.user(id).isPresent(), "compiled read right after write " + i);
                assertEquals(i + 1, bot.users().size(), "typed read right after write " + i);
            }
            ReplicationStatus status = db.replication().orElseThrow();
            assertTrue(status.readYourWritesFallbacks() >= 50, "reads right after a write went to the primary: "
                    + status);
            // Once the standby has replayed them, the same thread's reads go back to it.
            waitFor("the standby replayed everything", Duration.ofSeconds(30), () -> node(db, lagging).lagBytes() == 0);
            Thread.sleep(300);
            long before = node(db, lagging).reads();
            for (int i = 0; i < 20; i++) {
                assertEquals(50, bot.users().size());
            }
            assertTrue(node(db, lagging).reads() - before >= 15, "reads back on the standby: " + db.replication());
        }
    }

    @Test
    void aTokenCarriesReadYourWritesToAnotherProcess() throws Exception {
        String database = newDatabase();
        try (FoundupsDb writer = open(database, lagging); FoundupsDb reader = open(database, lagging)) {
            FoundUp bot = writer.foundUp("tok");
            FoundUp botElsewhere = reader.foundUp("tok");
            waitFor("the standby replayed the new tables", Duration.ofSeconds(30),
                    () -> node(reader, lagging).lagBytes() == 0);
            for (int i = 0; i < 10; i++) {
                bot.addUser("t" + i, "T");
                ConsistencyToken token = ConsistencyToken.parse(writer.consistencyToken().toString());
                assertTrue(token.toString().startsWith("fdb1:"), token.toString());
                String id = "t" + i;
                boolean seen = onFreshThread(() -> reader.readingAfter(token, () -> botElsewhere.user(id).isPresent()));
                assertTrue(seen, "the other process read write " + i + " after its token " + token);
            }
            assertTrue(reader.replication().orElseThrow().readYourWritesFallbacks() > 0);
        }
    }

    @Test
    void aStoppedReplicaIsSkippedAndUsedAgainWhenItReturns() throws Exception {
        try (FoundupsDb db = open(newDatabase(), fast)) {
            FoundUp bot = db.foundUp("outage");
            bot.addUser("a", "A");
            waitFor("the standby replayed", Duration.ofSeconds(30), () -> node(db, fast).lagBytes() == 0);
            cluster.stop(fast, "fast");
            try {
                waitFor("the standby is marked down", Duration.ofSeconds(30),
                        () -> node(db, fast).health() == NodeStatus.Health.DOWN);
                long onPrimary = db.replication().orElseThrow().readsOnPrimary();
                int found = onFreshThread(() -> {
                    int n = 0;
                    for (int i = 0; i < 20; i++) {
                        n += bot.users().size() + (bot.user("a").isPresent() ? 1 : 0);
                    }
                    return n;
                });
                assertEquals(40, found);
                assertTrue(db.replication().orElseThrow().readsOnPrimary() - onPrimary >= 40,
                        "reads went to the primary: " + db.replication());
            } finally {
                cluster.start(fast);
            }
            waitFor("the standby is back", Duration.ofSeconds(30), () -> node(db, fast).health() == NodeStatus.Health.UP);
            long before = node(db, fast).reads();
            onFreshThread(() -> {
                for (int i = 0; i < 20; i++) {
                    assertEquals(1, bot.users().size());
                    assertTrue(bot.user("a").isPresent());
                }
                return null;
            });
            assertTrue(node(db, fast).reads() - before >= 30, "fail-back: reads on the standby again: "
                    + db.replication());
        }
    }

    @Test
    void aReadWhoseReplicaDiesIsRetriedElsewhereWithoutAnError() throws Exception {
        try (FoundupsDb db = open(newDatabase(), fast)) {
            FoundUp bot = db.foundUp("retry");
            bot.addUser("r", "R");
            waitFor("the standby replayed", Duration.ofSeconds(30), () -> node(db, fast).lagBytes() == 0
                    && node(db, fast).health() == NodeStatus.Health.UP);
            // Reads that take a second, so the standby dies while they run: a typed one and a compiled one.
            Field<String> slow = DSL.field("(SELECT 'slow' FROM pg_sleep(1.5))", String.class);
            CompiledQuery<Record1<String>> compiled = CompiledQuery.of(bot.dsl(), bot.dsl().select(slow));
            ExecutorService readers = Executors.newFixedThreadPool(2);
            try {
                Future<String> typed = readers.submit(() -> bot.dsl().select(slow).fetchOne().value1());
                Future<String> fast2 = readers.submit(() -> compiled.fetchSingle().value1());
                Thread.sleep(700);
                assertEquals(2, node(db, fast).activeConnections(), "both reads run on the standby: "
                        + db.replication());
                cluster.stop(fast, "immediate");
                assertEquals("slow", typed.get());
                assertEquals("slow", fast2.get());
            } finally {
                readers.shutdown();
                cluster.start(fast);
            }
            ReplicationStatus status = db.replication().orElseThrow();
            assertTrue(status.retriedReads() >= 2, "retried: " + status);
        }
    }

    @Test
    void forcedPrimaryReadsAndTransactionsNeverTouchAStandby() throws Exception {
        try (FoundupsDb db = open(newDatabase(), fast)) {
            FoundUp bot = db.foundUp("forced");
            bot.addUser("f", "F");
            waitFor("the standby replayed", Duration.ofSeconds(30), () -> node(db, fast).lagBytes() == 0);
            long before = node(db, fast).reads();
            onFreshThread(() -> {
                db.onPrimary(() -> bot.users());
                bot.dsl().transaction(tx -> tx.dsl().selectFrom(FOUNDUP_USERS).fetch());
                return null;
            });
            assertEquals(before, node(db, fast).reads(), db.replication().toString());
        }
    }

    private static String dbName(FoundupsDb db) {
        String url = db.url();
        int slash = url.lastIndexOf('/');
        int end = url.indexOf('?', slash);
        int space = url.indexOf(' ', slash);
        int stop = end < 0 ? (space < 0 ? url.length() : space) : end;
        return url.substring(slash + 1, stop);
    }
}
