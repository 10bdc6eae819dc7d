package dev.foundups.db.internal.demo;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static dev.foundups.db.jooq.Tables.AGENTS_ERRORS;
import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;
import static dev.foundups.db.jooq.Tables.CHAT_RULES_MODERATORS;
import static dev.foundups.db.jooq.Tables.CHAT_RULES_TIMEOUTS;
import static dev.foundups.db.jooq.Tables.FOUNDUP_CONTENT;
import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;

import java.io.PrintStream;

import org.jooq.DSLContext;
import org.jooq.JSON;
import org.jooq.Table;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.modules.chatrules.ChatRules;

/**
 * Runs the usage examples of WSP 78 ("For Modules", "For FoundUps", "For Agents") against the configured database
 * ({@code DATABASE_URL}, default {@code data/foundups.db}) and prints what is stored. Safe to run again: it adds a
 * timeout, a pattern and an error sighting each time, and the rest is kept as it is.
 */
public final class ProtocolDemo {

    private ProtocolDemo() {
    }

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        try (FoundupsDb db = FoundupsDb.open()) {
            run(db, System.out);
        } catch (FoundupsDbException e) {
            System.err.println("foundups-db demo: " + e.getMessage());
            System.exit(2);
        }
    }

    /**
     * Runs the examples on an open database and prints the stored rows.
     *
     * @param db  the database
     * @param out where to print
     */
    public static void run(FoundupsDb db, PrintStream out) {
        out.println("FoundUps DB demo on " + db.dialect() + ": " + db.url());
        out.println();

        // For Modules: db = ChatRulesDB(); db.record_timeout("mod123", "troll456", 60)
        ChatRules chat = ChatRules.of(db);
        chat.upsertModerator("mod123", "ModeratorOne", 10, JSON.valueOf("{\"level\": \"ROOKIE\"}"));
        chat.recordTimeout("mod123", "troll456", 60);

        // For FoundUps: db = FoundUpDB("youtube_bot"); db.add_user("user123", "StreamViewer")
        FoundUp bot = db.foundUp("youtube_bot");
        if (bot.user("user123").isEmpty()) {
            bot.addUser("user123", "StreamViewer");
            bot.addContent("user123", "First stream!", "{\"source\": \"youtube\"}");
        }

        // For Agents: record_awakening, learn_pattern, and error learning (WSP 48)
        db.agents().recordAwakening("error-learning-agent", "0102");
        db.agents().learnPattern("agent123", "error_fix", "{\"pattern\": \"...\"}");
        db.agents().recordError("a1b2c3", "KeyError", "{\"fix\": \"check key\"}");

        print(out, db.dsl(), AGENTS_AWAKENING, "agents_awakening");
        print(out, db.dsl(), AGENTS_MEMORY, "agents_memory");
        print(out, db.dsl(), AGENTS_ERRORS, "agents_errors");
        print(out, chat.dsl(), CHAT_RULES_MODERATORS, "modules_chat_rules_moderators");
        print(out, chat.dsl(), CHAT_RULES_TIMEOUTS, "modules_chat_rules_timeouts");
        print(out, bot.dsl(), FOUNDUP_USERS, "foundups_youtube_bot_users");
        print(out, bot.dsl(), FOUNDUP_CONTENT, "foundups_youtube_bot_content");
    }

    private static void print(PrintStream out, DSLContext dsl, Table<?> table, String physicalName) {
        var rows = dsl.selectFrom(table).orderBy(table.fields()[0]).fetch();
        out.println(physicalName + " (" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
        out.println(rows.format(10));
    }
}
