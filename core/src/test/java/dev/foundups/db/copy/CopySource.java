package dev.foundups.db.copy;

import static dev.foundups.db.jooq.Tables.FOUNDUP_CONTENT;
import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;

import org.jooq.JSON;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.modules.chatrules.ChatRules;

/**
 * A SQLite FoundUps DB with something of everything a copy must carry: agents data, the chat_rules module, a module
 * imported from a legacy file, several FoundUps (one with a 64-bit id, one dropped), and awkward values.
 */
final class CopySource {

    /** Text that COPY's text format must escape, and characters outside ASCII. */
    static final String AWKWARD = "tab\there, line\nbreak, cr\r, back\\slash \\N, quote ' \" and \u00e9\u6f22\ud83d\ude00";
    static final long BIG_ID = 5_000_000_000L;

    private CopySource() {
    }

    /** @return the URL of a new source database in {@code dir} */
    static String create(Path dir, int bigTableRows) throws Exception {
        Path file = dir.resolve("source.db");
        String url = "jdbc:sqlite:" + file;
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.agents().recordAwakening("agent_a", "0102", AWKWARD);
            db.agents().recordAwakening("agent_b", "01(02)");
            db.agents().learnPattern("agent_a", "error_fix", "{ \"pattern\" : \"retry\", \"n\": 1.5e3, "
                    + "\"nested\": {\"list\": [1, 2, null, true]}, \"text\": \"a\\tb\\\\c\\u00e9\" }");
            db.agents().learnPattern("agent_b", "style", "[]");
            db.agents().recordError("h1", "KeyError", "{\"fix\":\"check key\"}");
            db.agents().recordError("h1", "KeyError", "{\"fix\":\"check key\"}");
            db.agents().recordError("h2", "ValueError", (String) null);

            ChatRules chat = ChatRules.of(db);
            chat.upsertModerator("m1", "Mod One", 10, JSON.valueOf("{\"level\":\"ROOKIE\"}"));
            chat.upsertModerator("m2", AWKWARD, -3, null);
            for (int i = 0; i < 30; i++) {
                chat.recordTimeout("m1", "troll" + i, 60 + i);
            }

            db.importLegacyDatabase(legacyFile(dir), "chat_legacy");

            FoundUp first = db.foundUp("youtube_bot");
            first.addUser("user123", "StreamViewer");
            first.addUser("lurker", null);
            first.dsl().update(FOUNDUP_USERS).set(FOUNDUP_USERS.ACTIVE, false)
                    .where(FOUNDUP_USERS.ID.eq("lurker")).execute();
            first.addContent("user123", "First stream!", "{\"source\":\"youtube\"}");
            first.addContent("user123", AWKWARD, (String) null);

            FoundUp big = db.foundUp("big_ids");
            big.addUser("u", "U");
            big.dsl().insertInto(FOUNDUP_CONTENT)
                    .set(FOUNDUP_CONTENT.ID, BIG_ID)
                    .set(FOUNDUP_CONTENT.USER_ID, "u")
                    .set(FOUNDUP_CONTENT.CONTENT, "far")
                    .set(FOUNDUP_CONTENT.CREATED_AT, Instant.parse("1999-12-31T23:59:59.999Z"))
                    .execute();

            FoundUp many = db.foundUp("many_rows");
            many.addUser("writer", "Writer");
            if (bigTableRows > 0) {
                many.dsl().transaction(tx -> {
                    var insert = tx.dsl().batch(tx.dsl().insertInto(FOUNDUP_CONTENT, FOUNDUP_CONTENT.USER_ID,
                            FOUNDUP_CONTENT.CONTENT, FOUNDUP_CONTENT.METADATA, FOUNDUP_CONTENT.CREATED_AT)
                            .values((String) null, null, null, null));
                    Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
                    for (int i = 0; i < bigTableRows; i++) {
                        insert.bind("writer", "post " + i, JSON.valueOf("{\"i\":" + i + "}"), t0.plusMillis(i * 1001L));
                    }
                    insert.execute();
                });
            }

            db.foundUp("gone").addUser("x", "X");
            db.catalog().drop(NamespaceKind.FOUNDUP, "gone");
        }
        return url;
    }

    /** A module's own database as it was before the unified one, with SQLite's loose types. */
    private static Path legacyFile(Path dir) throws Exception {
        Path file = dir.resolve("chat_legacy.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE timeout_history (id INTEGER PRIMARY KEY AUTOINCREMENT, mod_id TEXT, "
                    + "duration INTEGER, ratio REAL, avatar BLOB, ts DATETIME DEFAULT CURRENT_TIMESTAMP)");
            st.execute("CREATE TABLE notes (body TEXT)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO timeout_history (mod_id, duration, ratio, "
                    + "avatar, ts) VALUES (?, ?, ?, ?, ?)")) {
                for (int i = 0; i < 20; i++) {
                    ps.setString(1, "m" + i);
                    ps.setLong(2, 1L << (i + 20));
                    ps.setDouble(3, i / 3.0);
                    ps.setBytes(4, new byte[] {(byte) i, 0, (byte) 0xff, '\\', '\n'});
                    ps.setString(5, "2024-01-01 10:00:" + (10 + i));
                    ps.executeUpdate();
                }
            }
            st.execute("INSERT INTO notes VALUES ('same'), ('same'), (NULL)");
        }
        return file;
    }
}
