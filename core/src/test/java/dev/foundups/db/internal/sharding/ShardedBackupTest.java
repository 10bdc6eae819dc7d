package dev.foundups.db.internal.sharding;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import dev.foundups.db.BackupResult;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.testing.ShardServers;

/**
 * The backup of a sharded database on three real servers: a set of one pg_dump archive per shard and a manifest,
 * checked with pg_restore and against the directory read with plain JDBC. A move run between two shards' archives
 * (through the package's hook) must make the set say it is not consistent.
 */
class ShardedBackupTest {

    @TempDir
    Path dir;

    String main;
    String b;
    String c;

    @BeforeEach
    void databases() {
        main = ShardServers.newDatabaseUrl(0);
        b = ShardServers.newDatabaseUrl(1);
        c = ShardServers.newDatabaseUrl(2);
    }

    @AfterEach
    void noHook() {
        ShardedBackup.afterShard = shard -> { };
    }

    FoundupsDb sharded() {
        FoundupsDb db = FoundupsDb.configure().databaseUrl(main).open();
        db.shards().add("b", b);
        db.shards().add("c", c);
        for (String shard : List.of("main", "b", "c")) {
            db.catalog().create(NamespaceKind.FOUNDUP, "fu_" + shard, shard);
            db.foundUp("fu_" + shard).addUser("u", "User on " + shard);
        }
        return db;
    }

    @Test
    void aSetHasOneArchivePerShardAndAManifestMatchingTheDirectory() throws Exception {
        Path set = dir.resolve("set");
        try (FoundupsDb db = sharded()) {
            BackupResult result = db.backup(set);
            assertTrue(result.isSet());
            assertTrue(result.consistent(), result.inconsistencies().toString());
            assertEquals(set.toAbsolutePath(), result.file());
            assertEquals(List.of("main", "b", "c"), result.shards().stream().map(BackupResult.ShardArchive::shard)
                    .toList());
            for (BackupResult.ShardArchive archive : result.shards()) {
                assertTrue(Files.isRegularFile(archive.file()), archive.toString());
                assertEquals(Files.size(archive.file()), archive.bytes());
                assertFalse(archive.url().contains("password=postgres"), archive.url());
            }
            assertEquals(new TreeSet<>(List.of("main.dump", "b.dump", "c.dump", "manifest.json")), list(set));
            assertEquals(new TreeSet<>(List.of("set")), list(dir), "no partial folder is left");

            // Each archive holds its shard's FoundUp and no other; main's also holds the directory.
            for (String shard : List.of("main", "b", "c")) {
                String contents = pgRestoreList(set.resolve(shard + ".dump"));
                for (String other : List.of("main", "b", "c")) {
                    assertEquals(other.equals(shard), contents.contains("foundups_fu_" + other + "_users"),
                            shard + ".dump and fu_" + other + ":\n" + contents);
                }
            }

            String text = Files.readString(set.resolve("manifest.json"), StandardCharsets.UTF_8);
            assertFalse(text.contains("password=postgres") || text.contains(":postgres@"), text);
            Map<String, Object> manifest = object(text);
            assertEquals(Boolean.TRUE, manifest.get("consistent"));
            List<?> shards = (List<?>) manifest.get("shards");
            assertEquals(3, shards.size());
            assertEquals("b.dump", ((Map<?, ?>) shards.get(1)).get("file"));
            assertEquals(directory(), placements(manifest, "directoryBefore"));
            assertEquals(directory(), placements(manifest, "directoryAfter"));
        }
    }

    @Test
    void aMoveBetweenTwoArchivesMakesTheSetInconsistent() throws Exception {
        Path set = dir.resolve("moved");
        try (FoundupsDb db = sharded()) {
            ShardedBackup.afterShard = shard -> {
                if (shard.equals("main")) {
                    db.catalog().move(NamespaceKind.FOUNDUP, "fu_b", "c");
                }
            };
            BackupResult result = db.backup(set);
            assertFalse(result.consistent());
            assertEquals(1, result.inconsistencies().size(), result.inconsistencies().toString());
            assertTrue(result.inconsistencies().get(0).startsWith("FoundUp id 'fu_b' moved during the backup: on "
                    + "shard 'b' (epoch 1) when it began, on shard 'c' (epoch 2) when it ended"),
                    result.inconsistencies().toString());
            Map<String, Object> manifest = object(Files.readString(set.resolve("manifest.json")));
            assertEquals(Boolean.FALSE, manifest.get("consistent"));
            List<?> affected = (List<?>) manifest.get("inconsistencies");
            assertEquals(1, affected.size());
            assertEquals("fu_b", ((Map<?, ?>) affected.get(0)).get("name"));
            assertTrue(placements(manifest, "directoryBefore").contains("FOUNDUP:fu_b b 1"));
            assertTrue(placements(manifest, "directoryAfter").contains("FOUNDUP:fu_b c 2"));
            // Dumped after the move: fu_b is in c's archive, while main's directory still names b.
            assertTrue(pgRestoreList(set.resolve("c.dump")).contains("foundups_fu_b_users"));
        }
    }

    @Test
    void aTargetThatExistsAndAShardThatCannotBeReachedAreRefusedLeavingNothing() throws Exception {
        try (FoundupsDb db = sharded()) {
            Path taken = Files.createDirectories(dir.resolve("taken"));
            FoundupsDbException exists = assertThrows(FoundupsDbException.class, () -> db.backup(taken));
            assertEquals(ErrorCode.BACKUP, exists.errorCode());
            assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
            assertEquals(new TreeSet<>(), list(taken));

            try (Connection conn = DriverManager.getConnection(main); Statement st = conn.createStatement()) {
                st.execute("UPDATE foundupsdb_shards SET url = '" + ShardServers.unreachableUrl()
                        + "' WHERE name = 'c'");
            }
            FoundupsDbException down = assertThrows(FoundupsDbException.class, () -> db.backup(dir.resolve("x")));
            assertEquals(ErrorCode.BACKUP, down.errorCode());
            assertTrue(down.getMessage().contains("failed at shard 'c'") && down.getMessage().contains("nothing "
                    + "was kept"), down.getMessage());
            assertFalse(down.getMessage().contains(":postgres@") || down.getMessage().contains("password=postgres"),
                    down.getMessage());
            assertEquals(new TreeSet<>(List.of("taken")), list(dir), "the archives of main and b were removed");
        }
    }

    @Test
    void aProcessThatOpenedBeforeTheFirstShardStillBacksUpEveryShard() throws Exception {
        try (FoundupsDb early = FoundupsDb.configure().databaseUrl(main).open(); FoundupsDb db = sharded()) {
            BackupResult result = early.backup(dir.resolve("early"));
            assertEquals(List.of("main", "b", "c"), result.shards().stream().map(BackupResult.ShardArchive::shard)
                    .toList());
            assertTrue(pgRestoreList(dir.resolve("early").resolve("b.dump")).contains("foundups_fu_b_users"));
        }
    }

    /** @return the directory's placements as {@code KIND:name shard epoch}, read with JDBC */
    private List<String> directory() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection conn = DriverManager.getConnection(main); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT kind, name, shard, epoch FROM foundupsdb_placements "
                     + "ORDER BY kind, name")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + ":" + rs.getString(2) + " " + rs.getString(3) + " " + rs.getLong(4));
            }
        }
        return rows;
    }

    private static List<String> placements(Map<String, Object> manifest, String read) {
        List<String> rows = new ArrayList<>();
        for (Object o : (List<?>) ((Map<?, ?>) manifest.get(read)).get("placements")) {
            Map<?, ?> p = (Map<?, ?>) o;
            rows.add(p.get("kind") + ":" + p.get("name") + " " + p.get("shard") + " " + p.get("epoch"));
        }
        return rows;
    }

    private static String pgRestoreList(Path archive) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("pg_restore", "--list", archive.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static TreeSet<String> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).collect(TreeSet::new, TreeSet::add, TreeSet::addAll);
        }
    }

    /** A JSON object as maps, lists, strings, numbers and booleans (jackson-core has no tree). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String json) throws IOException {
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            parser.nextToken();
            return (Map<String, Object>) value(parser);
        }
    }

    private static Object value(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    map.put(name, value(parser));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(parser));
                }
                return list;
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_NUMBER_INT -> {
                return parser.getLongValue();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return parser.getBooleanValue();
            }
            default -> {
                return null;
            }
        }
    }
}
