package dev.foundups.db;

import static dev.foundups.db.jooq.Tables.CHAT_RULES_TIMEOUTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.jooq.JSON;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.modules.chatrules.ChatRules;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.Tables;

@ParameterizedClass
@EnumSource(Backend.class)
class ChatRulesTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    FoundupsDb db;
    ChatRules chat;

    @BeforeEach
    void open() {
        db = backend.open(dir);
        chat = ChatRules.of(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void registeringTheModuleCreatesItsPrefixedTables() {
        List<String> tables = Tables.names(db);
        assertTrue(tables.containsAll(List.of("modules_chat_rules_moderators", "modules_chat_rules_timeouts")),
                tables.toString());
        var info = db.namespaces().stream().filter(n -> n.name().equals("chat_rules")).findFirst().orElseThrow();
        assertEquals("modules_chat_rules_", info.tablePrefix());
        assertEquals(NamespaceState.READY, info.state());
    }

    @Test
    void moderatorUpsertInsertsThenReplaces() {
        chat.upsertModerator("mod123", "Mod", 10, JSON.valueOf("{\"level\": \"ROOKIE\"}"));
        var first = chat.moderator("mod123").orElseThrow();
        assertEquals("Mod", first.getName());
        assertEquals(10, first.getPoints());
        assertEquals("{\"level\":\"ROOKIE\"}", first.getData().data());

        chat.upsertModerator("mod123", "Moderator", 25, null);
        var second = chat.moderator("mod123").orElseThrow();
        assertEquals("Moderator", second.getName());
        assertEquals(25, second.getPoints());
        assertEquals(null, second.getData());
        assertEquals(1, chat.dsl().fetchCount(dev.foundups.db.jooq.Tables.CHAT_RULES_MODERATORS));
        assertTrue(chat.moderator("nobody").isEmpty());
    }

    @Test
    void recordTimeoutStoresRowsWithIncreasingIds() {
        long a = chat.recordTimeout("mod123", "troll456", 60);
        long b = chat.recordTimeout("mod123", "troll456", 300);
        long c = chat.recordTimeout("mod999", "spammer", 10);
        assertTrue(a < b && b < c);
        var timeouts = chat.timeoutsFor("troll456");
        assertEquals(List.of(60, 300), timeouts.stream().map(t -> t.getDuration()).toList());
        assertEquals("mod123", timeouts.get(0).getModId());
        assertTrue(timeouts.get(0).getTimestamp() != null);

        // Module code's own typed query, through the module's context.
        Integer total = chat.dsl().select(DSL.sum(CHAT_RULES_TIMEOUTS.DURATION).cast(Integer.class))
                .from(CHAT_RULES_TIMEOUTS).where(CHAT_RULES_TIMEOUTS.MOD_ID.eq("mod123")).fetchOne().value1();
        assertEquals(360, total);
    }

    @Test
    void negativeDurationIsRefused() {
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> chat.recordTimeout("m", "t", -1));
        assertEquals("timeout duration must be 0 or more seconds, was -1", e.getMessage());
        assertEquals(0, chat.timeoutsFor("t").size());
    }

    @Test
    void aModuleWithoutTemplateSaysWhereToPutOne() {
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> db.module("no_such_module"));
        assertEquals(FoundupsDbException.ErrorCode.CONFIGURATION, e.errorCode());
        assertTrue(e.getMessage().contains("db/foundups/templates/modules/no_such_module/"), e.getMessage());
    }
}
