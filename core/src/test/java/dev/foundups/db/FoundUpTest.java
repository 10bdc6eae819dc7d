package dev.foundups.db;

import static dev.foundups.db.jooq.Tables.FOUNDUP_CONTENT;
import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.jooq.Record2;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.jooq.tables.records.FoundupContentRecord;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.Tables;

@ParameterizedClass
@EnumSource(Backend.class)
class FoundUpTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    FoundupsDb db;

    @BeforeEach
    void open() {
        db = backend.open(dir);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void firstUseCreatesTheFoundUpsOwnTables() {
        assertFalse(Tables.names(db).contains("foundups_youtube_bot_users"));
        db.foundUp("youtube_bot").addUser("user123", "StreamViewer");
        List<String> tables = Tables.names(db);
        assertTrue(tables.containsAll(List.of("foundups_youtube_bot_users", "foundups_youtube_bot_content")), tables.toString());
        assertTrue(tables.containsAll(List.of("agents_awakening", "agents_memory", "agents_errors")), tables.toString());
        assertFalse(tables.contains("foundup_users"), "the generated template name never becomes a table");
    }

    @Test
    void statementsRenderedOncePerTemplateRunOnEachFoundUpsOwnTables() {
        FoundUp a = db.foundUp("render_a");
        FoundUp b = db.foundUp("render_b");
        a.addUser("ua", "A");
        b.addUser("ub", "B");
        long content = b.addContent("ub", "only in b", (String) null);
        assertEquals(List.of("ua"), a.users().stream().map(u -> u.getId()).toList());
        assertEquals(List.of("ub"), b.users().stream().map(u -> u.getId()).toList());
        assertEquals(List.of(), a.content());
        assertEquals(List.of(content), b.content().stream().map(FoundupContentRecord::getId).toList());
        assertTrue(a.user("ua").isPresent() && b.user("ua").isEmpty());

        // The shared rendering gives the SQL that rendering for the FoundUp itself gives, up to quoting.
        for (FoundUp f : List.of(a, b)) {
            CompiledQuery<?> shared = CompiledQuery.templateStatement(f.dsl(), "FoundUp.addUser", d -> d.insertInto(
                    FOUNDUP_USERS).set(FOUNDUP_USERS.ID, DSL.param("id", FOUNDUP_USERS.ID))
                    .set(FOUNDUP_USERS.USERNAME, DSL.param("username", FOUNDUP_USERS.USERNAME)));
            CompiledQuery<?> own = CompiledQuery.of(f.dsl(), f.dsl().insertInto(FOUNDUP_USERS)
                    .set(FOUNDUP_USERS.ID, DSL.param("id", FOUNDUP_USERS.ID))
                    .set(FOUNDUP_USERS.USERNAME, DSL.param("username", FOUNDUP_USERS.USERNAME)));
            assertEquals(own.sql().replace("\"", ""), shared.sql().replace("\"", ""));
            assertTrue(shared.sql().contains("foundups_" + f.id() + "_users"), shared.sql());
            assertEquals(own.parameters(), shared.parameters());
        }
    }

    @Test
    void usersAndContentRoundTrip() {
        FoundUp bot = db.foundUp("youtube_bot");
        bot.addUser("user123", "StreamViewer");
        bot.addUser("user456", "Lurker");
        long first = bot.addContent("user123", "hello", "{\"lang\": \"en\"}");
        long second = bot.addContent("user123", "again", (String) null);
        long third = bot.addContent("user456", "hi", "{\"lang\": \"fr\"}");
        assertTrue(first < second && second < third);

        var user = bot.user("user123").orElseThrow();
        assertEquals("StreamViewer", user.getUsername());
        assertEquals(Boolean.TRUE, user.getActive(), "booleans are Boolean, default from the changelog");
        assertTrue(user.getCreatedAt() != null);
        assertEquals(List.of("user123", "user456"), bot.users().stream().map(u -> u.getId()).toList());

        List<FoundupContentRecord> content = bot.content("user123");
        assertEquals(List.of("hello", "again"), content.stream().map(FoundupContentRecord::getContent).toList());
        assertEquals("{\"lang\":\"en\"}", content.get(0).getMetadata().data());
        assertEquals(null, content.get(1).getMetadata());
        assertEquals(3, bot.content().size());
    }

    @Test
    void foundUpsAreIsolatedFromEachOther() {
        FoundUp a = db.foundUp("alpha");
        FoundUp b = db.foundUp("beta");
        a.addUser("u1", "in alpha");
        b.addUser("u1", "in beta");
        a.addContent("u1", "only alpha", (String) null);
        assertEquals("in alpha", a.user("u1").orElseThrow().getUsername());
        assertEquals("in beta", b.user("u1").orElseThrow().getUsername());
        assertEquals(1, a.content().size());
        assertEquals(0, b.content().size());
    }

    @Test
    void typedQueriesRenderThePhysicalTables() {
        FoundUp bot = db.foundUp("youtube_bot");
        String sql = bot.dsl().render(bot.dsl().selectFrom(FOUNDUP_USERS).where(FOUNDUP_USERS.ID.eq("x")));
        assertTrue(sql.matches(".*\\bfrom \"?foundups_youtube_bot_users\\b.*"), sql);
        assertFalse(sql.matches(".*\\bfoundup_users\\b.*"), sql);

        bot.addUser("u1", "One");
        bot.addUser("u2", "Two");
        bot.addContent("u1", "a", (String) null);
        bot.addContent("u1", "b", (String) null);
        bot.addContent("u2", "c", (String) null);
        // A join with an aggregate, written only with generated classes.
        List<Record2<String, Integer>> counts = bot.dsl()
                .select(FOUNDUP_USERS.USERNAME, DSL.count(FOUNDUP_CONTENT.ID))
                .from(FOUNDUP_USERS)
                .join(FOUNDUP_CONTENT).on(FOUNDUP_CONTENT.USER_ID.eq(FOUNDUP_USERS.ID))
                .groupBy(FOUNDUP_USERS.USERNAME)
                .orderBy(FOUNDUP_USERS.USERNAME)
                .fetch();
        assertEquals("One", counts.get(0).value1());
        assertEquals(2, counts.get(0).value2());
        assertEquals(1, counts.get(1).value2());
    }

    @Test
    void theContextIsBuiltOncePerFoundUp() {
        assertSame(db.foundUp("youtube_bot").dsl(), db.foundUp("youtube_bot").dsl());
    }

    @Test
    void duplicateUserAndUnknownAuthorAreClearErrors() {
        FoundUp bot = db.foundUp("youtube_bot");
        bot.addUser("user123", "StreamViewer");
        FoundupsDbException dup = assertThrows(FoundupsDbException.class, () -> bot.addUser("user123", "Other"));
        assertEquals("FoundUp 'youtube_bot' already has a user 'user123'", dup.getMessage());
        FoundupsDbException unknown = assertThrows(FoundupsDbException.class,
                () -> bot.addContent("ghost", "boo", (String) null));
        assertTrue(unknown.getMessage().contains("has no user 'ghost'"), unknown.getMessage());
        assertEquals(0, bot.content().size(), "foreign keys are enforced on every dialect");
    }
}
