package dev.foundups.db.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.testing.ReplicationCluster;
import dev.foundups.db.testing.ReplicationCluster.Server;

/** {@code status} on a primary with a standby: every server, its role, lag and pool, in text and JSON. */
@Timeout(120)
class CliReplicasTest {

    @TempDir
    Path dir;

    private static CliTest.Run run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FoundupsDbCli.execute(new PrintWriter(out), new PrintWriter(err), env, args);
        return new CliTest.Run(code, out.toString(), err.toString());
    }

    @Test
    void statusListsEveryServerWithRoleLagAndPool() {
        try (ReplicationCluster cluster = ReplicationCluster.start(dir, List.of(Duration.ZERO), false)) {
            Server primary = cluster.server(0);
            Server standby = cluster.server(1);
            cluster.createDatabase("clidb");
            String url = ReplicationCluster.url(primary, "clidb");
            String replica = ReplicationCluster.url(standby, "clidb");
            CliTest.Run init = run(Map.of(), "--url", url, "init");
            assertEquals(0, init.exitCode(), init.err());

            CliTest.Run text = run(Map.of("DATABASE_REPLICA_URLS", replica), "--url", url, "status");
            assertEquals(0, text.exitCode(), text.err());
            assertTrue(text.out().contains("servers:    2; replica reads: thread, lag limit 1000 ms"), text.out());
            assertTrue(text.out().matches("(?s).*\\n  " + primary.hostPort() + " +primary +up +wal \\d+/[0-9A-F]+ .*"),
                    text.out());
            assertTrue(text.out().matches("(?s).*\\n  " + standby.hostPort()
                    + " +replica +(up|lagging) +replay \\d+/[0-9A-F]+ +lag .*"), text.out());

            CliTest.Run json = run(Map.of(), "--url", url, "--replica", replica, "status", "--json");
            assertEquals(0, json.exitCode(), json.err());
            assertTrue(json.out().contains("\"name\" : \"" + standby.hostPort() + "\",\n      \"role\" : \"replica\""),
                    json.out());
            assertTrue(json.out().contains("\"role\" : \"primary\""), json.out());
            assertTrue(json.out().contains("\"lagBytes\" : "), json.out());

            cluster.stop(standby, "fast");
            CliTest.Run down = run(Map.of(), "--url", url, "--replica", replica, "status");
            assertEquals(0, down.exitCode(), down.err());
            assertTrue(down.out().matches("(?s).*\\n  " + standby.hostPort() + " +unknown +down .*refused.*"),
                    down.out());
        }
    }
}
