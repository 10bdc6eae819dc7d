package dev.foundups.db.internal.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import com.zaxxer.hikari.SQLExceptionOverride.Override;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.ConsistencyToken;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.ReplicaReads;

/** Replica settings, URLs, WAL positions and tokens: no server needed. */
class ReplicaSettingsTest {

    @TempDir
    Path dir;

    @Test
    void sqliteRefusesReplicasBeforeCreatingAnything() {
        Path file = dir.resolve("fdb.db");
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> FoundupsDb.configure()
                .databaseUrl("jdbc:sqlite:" + file).readReplicas("postgresql://u:secret@replica:5432/db").open());
        assertEquals(FoundupsDbException.ErrorCode.CONFIGURATION, e.errorCode());
        assertTrue(e.getMessage().startsWith("readReplicas: read replicas need PostgreSQL"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertFalse(Files.exists(file), "nothing was created");

        FoundupsDbException env = assertThrows(FoundupsDbException.class, () -> FoundupsDb.configure()
                .databaseUrl("jdbc:sqlite:" + file)
                .environment(Map.of("DATABASE_REPLICA_URLS", "postgresql://replica:5432/db")).open());
        assertTrue(env.getMessage().startsWith("DATABASE_REPLICA_URLS (environment): read replicas need PostgreSQL"),
                env.getMessage());
    }

    @Test
    void sqliteWithoutReplicasIsUnchanged() {
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl("jdbc:sqlite:" + dir.resolve("plain.db")).open()) {
            assertTrue(db.replication().isEmpty());
            assertEquals(ConsistencyToken.NONE, db.consistencyToken());
            assertEquals("x", db.onPrimary(() -> "x"));
            assertEquals("y", db.readingAfter(ConsistencyToken.parse("fdb1:0/16B3748"), () -> "y"));
        }
    }

    @Test
    void replicaUrlsSplitOnSpacesAndOnCommasBeforeAUrl() {
        assertEquals(List.of("postgresql://a:1/db", "postgresql://b:2/db"),
                ReplicaSettings.split("postgresql://a:1/db,postgresql://b:2/db"));
        assertEquals(List.of("postgresql://h1:1,h2:2/db", "jdbc:postgresql://h3/db"),
                ReplicaSettings.split(" postgresql://h1:1,h2:2/db  jdbc:postgresql://h3/db "));
        assertEquals(List.of("postgres://a/db", "postgres://b/db"), ReplicaSettings.split("postgres://a/db; postgres://b/db"));
        assertEquals(List.of(), ReplicaSettings.split("  "));
    }

    @Test
    void settingsResolveFromBuilderThenEnvironment() {
        Map<String, String> env = Map.of("DATABASE_REPLICA_URLS", "postgresql://r1/db postgresql://r2/db",
                "DATABASE_MAX_REPLICA_LAG", "500ms", "DATABASE_REPLICA_READS", "database");
        ReplicaSettings fromEnv = ReplicaSettings.resolve(null, "readReplicas", null, null, env::get);
        assertEquals(2, fromEnv.replicas().size());
        assertEquals(Duration.ofMillis(500), fromEnv.maxLag());
        assertEquals(ReplicaReads.DATABASE, fromEnv.reads());
        ReplicaSettings fromBuilder = ReplicaSettings.resolve(List.of("postgresql://r3/db"), "readReplicas",
                Duration.ofSeconds(3), ReplicaReads.NONE, env::get);
        assertEquals(1, fromBuilder.replicas().size());
        assertEquals(Duration.ofSeconds(3), fromBuilder.maxLag());
        assertEquals(ReplicaReads.NONE, fromBuilder.reads());
        ReplicaSettings defaults = ReplicaSettings.resolve(null, "readReplicas", null, null, k -> null);
        assertFalse(defaults.configured());
        assertEquals(Duration.ofSeconds(1), defaults.maxLag());
        assertEquals(ReplicaReads.THREAD, defaults.reads());
        assertEquals(Duration.ofSeconds(2), ReplicaSettings.duration("2s", "x"));
        assertEquals(Duration.ofMillis(1500), ReplicaSettings.duration("PT1.5S", "x"));
    }

    @Test
    void badSettingsNameThemselves() {
        FoundupsDbException lag = assertThrows(FoundupsDbException.class, () -> ReplicaSettings.resolve(null, "r",
                null, null, Map.of("DATABASE_MAX_REPLICA_LAG", "soon")::get));
        assertTrue(lag.getMessage().startsWith("DATABASE_MAX_REPLICA_LAG 'soon' is not a duration"), lag.getMessage());
        FoundupsDbException mode = assertThrows(FoundupsDbException.class, () -> ReplicaSettings.resolve(null, "r",
                null, null, Map.of("DATABASE_REPLICA_READS", "sometimes")::get));
        assertTrue(mode.getMessage().startsWith("DATABASE_REPLICA_READS 'sometimes'"), mode.getMessage());
        FoundupsDbException notPg = assertThrows(FoundupsDbException.class, () -> ReplicaSettings.resolve(
                List.of("sqlite:///x.db"), "readReplicas", null, null, k -> null));
        assertTrue(notPg.getMessage().startsWith("readReplicas: 'sqlite:///x.db' is not a PostgreSQL URL"),
                notPg.getMessage());
        FoundupsDbException bad = assertThrows(FoundupsDbException.class, () -> ReplicaSettings.resolve(
                List.of("mysql://u:secret@h/db"), "readReplicas", null, null, k -> null));
        assertTrue(bad.getMessage().contains("is not a supported replica URL"), bad.getMessage());
        assertFalse(bad.getMessage().contains("secret"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FoundupsDb.configure().maxReplicaLag(Duration.ZERO));
    }

    @Test
    void hostsOfMultiHostUrls() {
        String url = "jdbc:postgresql://h1:5433,h2/db?sslmode=require&targetServerType=primary";
        assertEquals(List.of("h1:5433", "h2:5432"), JdbcHosts.hosts(url));
        assertTrue(JdbcHosts.multiHost(url));
        assertTrue(JdbcHosts.hasParameter(url, "targetServerType"));
        assertEquals("jdbc:postgresql://h2:5432/db?sslmode=require", JdbcHosts.withHost(url, "h2:5432"));
        assertEquals(List.of("localhost:5432"), JdbcHosts.hosts("jdbc:postgresql:db"));
        assertFalse(JdbcHosts.multiHost("jdbc:postgresql://one:5432/db"));
    }

    @Test
    void poolsEvictConnectionsWhoseServerIsGoneOrReadOnly() {
        SqlStates.EvictGone writer = new SqlStates.EvictGone(true);
        SqlStates.EvictGone replica = new SqlStates.EvictGone(false);
        for (String state : List.of("08006", "08001", "57P01", "57P02", "57P03")) {
            assertEquals(Override.MUST_EVICT, writer.adjudicate(new SQLException("gone", state)), state);
            assertEquals(Override.MUST_EVICT, replica.adjudicate(new SQLException("gone", state)), state);
        }
        assertEquals(Override.MUST_EVICT, writer.adjudicate(new SQLException("read-only", "25006")));
        assertEquals(Override.CONTINUE_EVICT, replica.adjudicate(new SQLException("read-only", "25006")));
        assertEquals(Override.CONTINUE_EVICT, writer.adjudicate(new SQLException("duplicate", "23505")));
        assertTrue(SqlStates.retryableOnReplica(new SQLException("conflict with recovery", "40001")));
        assertFalse(SqlStates.retryableOnReplica(new SQLException("syntax", "42601")));
    }

    @Test
    void walPositionsAndTokens() {
        assertEquals(0x16_B374D848L, Lsn.parse("16/B374D848"));
        assertEquals("16/B374D848", Lsn.format(0x16_B374D848L));
        assertEquals("0/0", Lsn.format(0));
        assertThrows(IllegalArgumentException.class, () -> Lsn.parse("16B374D848"));
        ConsistencyToken token = ConsistencyToken.parse("fdb1:0/16B3748");
        assertEquals("fdb1:0/16B3748", token.toString());
        assertEquals(token, ConsistencyToken.parse(token.toString()));
        assertEquals(ConsistencyToken.NONE, ConsistencyToken.parse(null));
        assertEquals(token, token.max(ConsistencyToken.NONE));
        assertTrue(token.compareTo(ConsistencyToken.parse("fdb1:1/0")) < 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConsistencyToken.parse("0/16B3748"));
        assertTrue(e.getMessage().contains("fdb1:"), e.getMessage());
    }
}
