package dev.foundups.db.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.ShardServers;

/** {@code shard add|list}, {@code status} and {@code migrate} on a sharded database, as an operator runs them. */
class CliShardTest {

    @TempDir
    Path dir;

    private static CliTest.Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FoundupsDbCli.execute(new PrintWriter(out), new PrintWriter(err), Map.of(), args);
        return new CliTest.Run(code, out.toString(), err.toString());
    }

    @Test
    void shardsAreAddedListedAndReportedWithoutPasswords() throws Exception {
        String main = ShardServers.newDatabaseUrl(0);
        String b = ShardServers.newDatabaseUrl(1);
        assertEquals(0, run("--url", main, "init").exitCode());
        CliTest.Run none = run("--url", main, "shard", "list");
        assertEquals(0, none.exitCode(), none.err());
        assertTrue(none.out().contains("not sharded"), none.out());

        CliTest.Run add = run("--url", main, "shard", "add", "b", b);
        assertEquals(0, add.exitCode(), add.err());
        assertTrue(add.out().contains("added shard 'b'") && add.out().contains("2 shard(s): b, main"), add.out());
        assertEquals(0, run("--url", main, "namespace", "create", "foundup", "on_b", "--shard", "b").exitCode());

        CliTest.Run list = run("--url", main, "shard", "list");
        assertEquals(0, list.exitCode(), list.err());
        assertTrue(list.out().matches("(?s).*\\nb +active +1 +0  jdbc:postgresql://.*"), list.out());
        assertTrue(list.out().matches("(?s).*\\nmain +active +1 +0  jdbc:postgresql://.*"), list.out());
        CliTest.Run json = run("--url", main, "shard", "list", "--json");
        assertTrue(json.out().contains("\"name\" : \"b\""), json.out());

        CliTest.Run status = run("--url", main, "status");
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(status.out().contains("shards:     2"), status.out());
        assertTrue(status.out().matches("(?s).*\\n  b +active +0 agent\\(s\\); 1 namespace\\(s\\), 0 pending.*"),
                status.out());
        for (CliTest.Run run : new CliTest.Run[] {add, list, json, status}) {
            assertFalse(run.out().contains("password=postgres") || run.err().contains("password=postgres"),
                    run.out());
        }

        CliTest.Run taken = run("--url", main, "shard", "add", "b", ShardServers.newDatabaseUrl(1));
        assertEquals(1, taken.exitCode(), taken.err());
        assertTrue(taken.err().contains("there is a shard 'b' already"), taken.err());

        // A shard that cannot be reached: migrate and status say which, the other shards go on, the exit code says so.
        try (Connection c = DriverManager.getConnection(main); Statement st = c.createStatement()) {
            st.execute("UPDATE foundupsdb_shards SET url = '" + ShardServers.unreachableUrl() + "' WHERE name = 'b'");
        }
        CliTest.Run migrate = run("--url", main, "migrate");
        assertEquals(1, migrate.exitCode(), migrate.out() + migrate.err());
        assertTrue(migrate.err().contains("shard:b: shard 'b'"), migrate.err());
        assertTrue(migrate.err().contains("1 shard(s) could not be migrated"), migrate.err());
        assertFalse(migrate.err().contains("password=postgres") || migrate.err().contains(":postgres@"),
                migrate.err());
        CliTest.Run down = run("--url", main, "status");
        assertEquals(3, down.exitCode(), down.err());
        assertTrue(down.out().matches("(?s).*\\n  b +active +0 agent\\(s\\); UNREACHABLE .*"), down.out());
        assertTrue(down.err().contains("cannot reach shard(s) b"), down.err());
    }

    @Test
    void namespacesAndAgentsMoveAndShardsDrainFromTheCommandLine() throws Exception {
        String main = ShardServers.newDatabaseUrl(0);
        String b = ShardServers.newDatabaseUrl(1);
        String c = ShardServers.newDatabaseUrl(2);
        assertEquals(0, run("--url", main, "shard", "add", "b", b).exitCode());
        assertEquals(0, run("--url", main, "shard", "add", "c", c).exitCode());
        assertEquals(0, run("--url", main, "namespace", "create", "foundup", "roamer", "--shard", "b").exitCode());

        CliTest.Run move = run("--url", main, "namespace", "move", "roamer", "--to", "c");
        assertEquals(0, move.exitCode(), move.err());
        assertTrue(move.out().startsWith("moved foundup 'roamer' from 'b' to 'c' online: "), move.out());
        assertTrue(move.out().contains("writers waited"), move.out());
        CliTest.Run again = run("--url", main, "namespace", "move", "foundup", "roamer", "--to", "c");
        assertTrue(again.out().contains("foundup 'roamer' is on shard 'c' already"), again.out());
        CliTest.Run missing = run("--url", main, "namespace", "move", "nobody", "--to", "c");
        assertEquals(1, missing.exitCode(), missing.out());
        assertTrue(missing.err().contains("there is no module or FoundUp 'nobody'"), missing.err());
        CliTest.Run badKind = run("--url", main, "namespace", "move", "table", "roamer", "--to", "c");
        assertEquals(2, badKind.exitCode(), badKind.out());
        assertTrue(badKind.err().contains("'table' is not a namespace kind"), badKind.err());

        CliTest.Run drain = run("--url", main, "shard", "drain", "c");
        assertEquals(0, drain.exitCode(), drain.err());
        assertTrue(drain.out().contains("moved foundup 'roamer' from 'c' to "), drain.out());
        assertTrue(drain.out().contains("shard 'c' is drained: 1 move(s)"), drain.out());
        CliTest.Run list = run("--url", main, "shard", "list");
        assertTrue(list.out().matches("(?s).*\\nc +draining +0 +0  jdbc:postgresql://.*"), list.out());
        CliTest.Run cleanup = run("--url", main, "shard", "cleanup");
        assertEquals(0, cleanup.exitCode(), cleanup.err());
        assertTrue(cleanup.out().contains("nothing left behind"), cleanup.out());
        for (CliTest.Run run : new CliTest.Run[] {move, drain, list}) {
            assertFalse(run.out().contains("password=postgres"), run.out());
        }
    }

    @Test
    void backupOfAShardedDatabaseWritesASetAndPrintsEachShard() throws Exception {
        String main = ShardServers.newDatabaseUrl(0);
        assertEquals(0, run("--url", main, "shard", "add", "b", ShardServers.newDatabaseUrl(1)).exitCode());
        assertEquals(0, run("--url", main, "namespace", "create", "foundup", "on_b", "--shard", "b").exitCode());
        Path set = dir.resolve("set");

        CliTest.Run backup = run("--url", main, "backup", set.toString());
        assertEquals(0, backup.exitCode(), backup.err());
        assertTrue(backup.out().startsWith("backed up 2 shard(s) to the set " + set), backup.out());
        assertTrue(backup.out().matches("(?s).*\\n  main  main\\.dump +[0-9,]+ bytes  snapshot \\S+  "
                + "jdbc:postgresql://.*\\n  b     b\\.dump +[0-9,]+ bytes  snapshot .*"), backup.out());
        assertTrue(backup.out().contains("\nconsistent: every namespace and agent is in exactly one archive"),
                backup.out());
        assertFalse(backup.out().contains("password=postgres"), backup.out());
        assertTrue(Files.isRegularFile(set.resolve("b.dump")) && Files.isRegularFile(set.resolve("manifest.json")));

        CliTest.Run again = run("--url", main, "backup", set.toString());
        assertEquals(1, again.exitCode(), again.out());
        assertTrue(again.err().contains("already exists"), again.err());
    }

    @Test
    void aSetIsRestoredIntoNewDatabasesShardByShard() throws Exception {
        String main = ShardServers.newDatabaseUrl(0);
        String b = ShardServers.newDatabaseUrl(1);
        assertEquals(0, run("--url", main, "shard", "add", "b", b).exitCode());
        assertEquals(0, run("--url", main, "namespace", "create", "foundup", "on_b", "--shard", "b").exitCode());
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(main).open()) {
            db.foundUp("on_b").addUser("u1", "Saved on b");
        }
        Path set = dir.resolve("set");
        assertEquals(0, run("--url", main, "backup", set.toString()).exitCode());

        // By default shard b goes back to the database it came from, which holds tables: refused, nothing written.
        String newMain = ShardServers.newDatabaseUrl(0);
        CliTest.Run full = run("--url", newMain, "restore", set.toString());
        assertEquals(1, full.exitCode(), full.out());
        assertTrue(full.err().contains("cannot restore shard 'b' into jdbc:postgresql://")
                && full.err().contains("the database the shard was backed up from")
                && full.err().contains("nothing was restored"), full.err());

        CliTest.Run bad = run("--url", newMain, "restore", set.toString(), "--shard-url",
                "postgresql://fu:secret@db2:5432/x");
        assertEquals(2, bad.exitCode(), bad.out());
        assertTrue(bad.err().contains("--shard-url takes NAME=URL"), bad.err());
        CliTest.Run toMain = run("--url", newMain, "restore", set.toString(), "--shard-url", "main=" + b);
        assertEquals(2, toMain.exitCode(), toMain.out());
        assertTrue(toMain.err().contains("shard 'main' is restored into the database DATABASE_URL names"),
                toMain.err());

        String newB = ShardServers.newDatabaseUrl(1);
        CliTest.Run restore = run("--url", newMain, "restore", set.toString(), "--shard-url", "b=" + newB);
        assertEquals(0, restore.exitCode(), restore.err());
        assertTrue(restore.out().startsWith("restored 2 shard(s) from the set " + set), restore.out());
        assertTrue(restore.out().matches("(?s).*\\n  main  main\\.dump +[0-9,]+ bytes +[0-9.]+ s  into "
                + "jdbc:postgresql://[^\\n]*/" + database(newMain) + "\\?.*\\n  b     b\\.dump +[0-9,]+ bytes +"
                + "[0-9.]+ s  into jdbc:postgresql://[^\\n]*/" + database(newB) + "\\?.*"), restore.out());
        CliTest.Run list = run("--url", newMain, "shard", "list");
        assertTrue(list.out().matches("(?s).*\\nb +active +1 +0  jdbc:postgresql://[^\\n]*/" + database(newB)
                + "\\?.*"), list.out());
        try (FoundupsDb restored = FoundupsDb.configure().databaseUrl(newMain).open()) {
            assertEquals("Saved on b", restored.foundUp("on_b").user("u1").orElseThrow().getUsername());
        }

        // A restore finished in two runs, main first, then b alone, as the error of a failed shard says to.
        String thirdMain = ShardServers.newDatabaseUrl(0);
        String thirdB = ShardServers.newDatabaseUrl(1);
        CliTest.Run first = run("--url", thirdMain, "restore", set.resolve("manifest.json").toString(),
                "--shard-url", "b=" + thirdB, "--only-shard", "main");
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.out().startsWith("restored 1 shard(s)"), first.out());
        CliTest.Run second = run("--url", thirdMain, "restore", set.toString(), "--shard-url", "b=" + thirdB,
                "--only-shard", "b");
        assertEquals(0, second.exitCode(), second.err());
        assertTrue(second.out().matches("(?s)restored 1 shard\\(s\\).*\\n  b  b\\.dump .*"), second.out());
        try (FoundupsDb restored = FoundupsDb.configure().databaseUrl(thirdMain).open()) {
            assertEquals("Saved on b", restored.foundUp("on_b").user("u1").orElseThrow().getUsername());
        }
        for (CliTest.Run r : new CliTest.Run[] {full, bad, toMain, restore, list, first, second}) {
            assertFalse(r.out().contains("password=postgres") || r.err().contains("password=postgres")
                    || r.err().contains("secret"), r.out() + r.err());
        }
    }

    /** @return the database name of a JDBC URL */
    private static String database(String url) {
        return url.replaceFirst("^jdbc:postgresql://[^/]*/([^?]*).*$", "$1");
    }

    @Test
    void copyOntoAShardedClusterSaysWhereEachNamespaceAndAgentWent() throws Exception {
        String source = "sqlite:///" + dir.resolve("source.db");
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(source).open()) {
            for (int i = 0; i < 5; i++) {
                db.foundUp("fu" + i).addUser("u", "User " + i);
                db.agents().learnPattern("agent" + i, "fix", "{\"a\":" + i + "}");
            }
        }
        String main = ShardServers.newDatabaseUrl(0);
        assertEquals(0, run("--url", main, "shard", "add", "b", ShardServers.newDatabaseUrl(1)).exitCode());
        assertEquals(0, run("--url", main, "shard", "add", "c", ShardServers.newDatabaseUrl(2)).exitCode());

        CliTest.Run copy = run("--url", source, "copy", "--to", main, "--tables");
        assertEquals(0, copy.exitCode(), copy.err());
        assertTrue(copy.out().contains("\non 3 shards (what each holds of the source):\n"), copy.out());
        assertTrue(copy.out().contains("foundups_fu0_users on shard '"), "tables listed with their shard: "
                + copy.out());
        assertTrue(copy.out().matches("(?s).*\nverified: \\d+ tables hold the same rows on both sides \\(row counts "
                + "and checksums\\), each on its shard\n"), copy.out());
        // Each shard's line says what `shard list` counts there, and names each FoundUp and agent once.
        CliTest.Run list = run("--url", main, "shard", "list");
        Pattern line = Pattern.compile("\n  (\\w+): (\\d+) module\\(s\\)[^,]*, "
                + "(\\d+) FoundUp\\(s\\)( \\(([^)]*)\\))?, (\\d+) agent\\(s\\)( \\(([^)]*)\\))?; ");
        Matcher m = line.matcher(copy.out());
        List<String> named = new ArrayList<>();
        int shards = 0;
        while (m.find()) {
            shards++;
            int namespaces = Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(3));
            assertTrue(list.out().matches("(?s).*\n" + m.group(1) + " +active +" + namespaces + " +"
                    + m.group(6) + "  .*"), m.group() + " vs\n" + list.out());
            for (String names : new String[] {m.group(5), m.group(8)}) {
                if (names != null) {
                    named.addAll(List.of(names.split(", ")));
                }
            }
        }
        assertEquals(3, shards, copy.out());
        named.sort(null);
        assertEquals(List.of("agent0", "agent1", "agent2", "agent3", "agent4", "fu0", "fu1", "fu2", "fu3", "fu4"),
                named);

        CliTest.Run again = run("--url", source, "copy", "--to", main);
        assertEquals(1, again.exitCode(), again.out());
        assertTrue(again.err().contains(" is not empty, tables hold rows on main: "), again.err());
        assertTrue(again.err().endsWith("add --replace to empty main and every shard first (the shards stay "
                + "registered)\n"), again.err());
        assertEquals(1, again.err().lines().count(), "one line, no stack trace");

        CliTest.Run restart = run("--url", source, "copy", "--to", main, "--restart");
        assertEquals(0, restart.exitCode(), restart.err());
        CliTest.Run after = run("--url", main, "shard", "list");
        for (String shard : List.of("b", "c", "main")) {
            assertTrue(after.out().matches("(?s).*\n" + shard + " +active .*"), after.out());
        }
        for (CliTest.Run run : new CliTest.Run[] {copy, again, restart}) {
            assertFalse(run.out().contains("password=postgres") || run.err().contains("password=postgres"),
                    run.out() + run.err());
        }
    }

    @Test
    void sqliteRefusesShardsNamingTheSetting() {
        String sqlite = Backend.SQLITE.newDatabaseUrl(dir);
        CliTest.Run add = run("--url", sqlite, "shard", "add", "b", ShardServers.unreachableUrl());
        assertEquals(2, add.exitCode(), add.err());
        assertTrue(add.err().contains("sharding needs PostgreSQL: --url names the SQLite database"),
                add.err());
    }
}
