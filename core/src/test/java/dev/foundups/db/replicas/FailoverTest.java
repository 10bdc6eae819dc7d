package dev.foundups.db.replicas;

import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NodeStatus;
import dev.foundups.db.ReplicationStatus;
import dev.foundups.db.testing.ReplicationCluster;
import dev.foundups.db.testing.ReplicationCluster.Server;

/**
 * Failover on real streaming replication: the primary is killed under write load, a synchronous standby is promoted,
 * and writes resume on it through the multi-host URL without a restart; every acknowledged write is there.
 */
@Timeout(180)
class FailoverTest {

    @TempDir
    Path dir;

    @Test
    void killingThePrimaryUnderWritesLosesNoAcknowledgedRowAndWritesResumeOnThePromotedStandby() throws Exception {
        try (ReplicationCluster cluster = ReplicationCluster.start(dir, List.of(Duration.ZERO), true)) {
            Server primary = cluster.server(0);
            Server standby = cluster.server(1);
            cluster.createDatabase("failover");
            String url = ReplicationCluster.multiHostUrl("failover", primary, standby);
            try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).maximumPoolSize(4).open()) {
                FoundUp fu = db.foundUp("fo");
                ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger failed = new AtomicInteger();
                AtomicLong killedAt = new AtomicLong();
                AtomicLong firstAfterKill = new AtomicLong();
                Thread writer = new Thread(() -> {
                    int i = 0;
                    while (running.get()) {
                        String id = "w" + i++;
                        try {
                            if (i % 2 == 0) {
                                fu.addUser(id, "compiled");
                            } else {
                                fu.dsl().insertInto(FOUNDUP_USERS).set(FOUNDUP_USERS.ID, id)
                                        .set(FOUNDUP_USERS.USERNAME, "typed").execute();
                            }
                            acknowledged.add(id);
                            if (killedAt.get() != 0 && firstAfterKill.get() == 0) {
                                firstAfterKill.set(System.nanoTime());
                            }
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                        }
                    }
                }, "failover-writer");
                writer.start();
                Thread.sleep(1500);
                int beforeKill = acknowledged.size();
                assertTrue(beforeKill > 10, "writes before the kill: " + beforeKill);

                cluster.stop(primary, "immediate");   // a crash: no shutdown checkpoint, connections cut
                killedAt.set(System.nanoTime());        // from here on, no write can succeed on the old primary
                cluster.promote(standby);
                long promotedMillis = (System.nanoTime() - killedAt.get()) / 1_000_000;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (firstAfterKill.get() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertTrue(firstAfterKill.get() != 0, "no write succeeded within 60 s of the kill");
                long failoverMillis = (firstAfterKill.get() - killedAt.get()) / 1_000_000;
                Thread.sleep(500);
                running.set(false);
                writer.join(60_000);

                Set<String> present = new HashSet<>();
                try (Connection c = ReplicationCluster.connect(standby, "failover"); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT id FROM foundups_fo_users")) {
                    while (rs.next()) {
                        present.add(rs.getString(1));
                    }
                }
                List<String> lost = acknowledged.stream().filter(id -> !present.contains(id)).toList();
                assertEquals(List.of(), lost, "acknowledged writes missing on the new primary");
                assertTrue(acknowledged.size() > beforeKill, "writes resumed on the promoted standby");

                ReplicationStatus status = awaitFailoverReport(db);
                ReplicationStatus.Failover report = status.lastFailover().orElseThrow();
                assertEquals(primary.hostPort(), report.fromPrimary(), status.toString());
                assertEquals(standby.hostPort(), report.toPrimary(), status.toString());
                assertEquals(NodeStatus.Role.PRIMARY, status.nodes().get(0).role(), status.toString());
                assertEquals(standby.hostPort(), status.nodes().get(0).name(), status.toString());
                System.out.printf("failover: %d acknowledged writes (%d before the kill), %d failed in flight; "
                        + "promotion %d ms; kill to first acknowledged write %d ms; library's report %d ms%n",
                        acknowledged.size(), beforeKill, failed.get(), promotedMillis, failoverMillis,
                        report.downtime().toMillis());
                assertTrue(failoverMillis < 30_000, "failover took " + failoverMillis + " ms");
            }
        }
    }

    private static ReplicationStatus awaitFailoverReport(FoundupsDb db) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        ReplicationStatus status = db.replication().orElseThrow();
        while ((status.lastFailover().isEmpty() || status.nodes().get(0).role() != NodeStatus.Role.PRIMARY)
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
            status = db.replication().orElseThrow();
        }
        return status;
    }
}
