package dev.foundups.db.modules.chatrules;

import static dev.foundups.db.jooq.Tables.CHAT_RULES_MODERATORS;
import static dev.foundups.db.jooq.Tables.CHAT_RULES_TIMEOUTS;

import java.util.List;
import java.util.Optional;

import org.jooq.DSLContext;
import org.jooq.JSON;
import org.jooq.Param;
import org.jooq.Record;
import org.jooq.Record1;
import org.jooq.impl.DSL;

import dev.foundups.db.CompiledQuery;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.PlatformModule;
import dev.foundups.db.jooq.tables.records.ChatRulesModeratorsRecord;
import dev.foundups.db.jooq.tables.records.ChatRulesTimeoutsRecord;
import dev.foundups.db.internal.json.JsonDocuments;

/**
 * The protocol's worked example, the {@code chat_rules} module, written the way any module's database class is:
 * only public API, typed queries on the module's context, no table names in the code.
 *
 * <pre>
 * ChatRules chat = ChatRules.of(db);
 * chat.upsertModerator("mod123", "Mod", 10, JSON.valueOf("{\"level\":\"ROOKIE\"}"));
 * chat.recordTimeout("mod123", "troll456", 60);
 * </pre>
 */
public final class ChatRules {

    /** The module's name, and its template's. */
    public static final String MODULE = "chat_rules";

    private final DSLContext dsl;
    // The module's fixed statements, rendered once (see CompiledQuery): a call binds and runs a reused statement.
    private final CompiledQuery<Record> upsertModerator;
    private final CompiledQuery<ChatRulesModeratorsRecord> moderatorById;
    private final CompiledQuery<Record1<Long>> insertTimeout;

    private ChatRules(PlatformModule module) {
        this.dsl = module.dsl();
        Param<String> id = DSL.param("id", CHAT_RULES_MODERATORS.ID);
        Param<String> name = DSL.param("name", CHAT_RULES_MODERATORS.NAME);
        Param<Integer> points = DSL.param("points", CHAT_RULES_MODERATORS.POINTS);
        Param<JSON> data = DSL.param("data", CHAT_RULES_MODERATORS.DATA);
        this.upsertModerator = CompiledQuery.of(dsl, dsl.insertInto(CHAT_RULES_MODERATORS)
                .set(CHAT_RULES_MODERATORS.ID, id)
                .set(CHAT_RULES_MODERATORS.NAME, name)
                .set(CHAT_RULES_MODERATORS.POINTS, points)
                .set(CHAT_RULES_MODERATORS.DATA, data)
                .onConflict(CHAT_RULES_MODERATORS.ID)
                .doUpdate()
                .set(CHAT_RULES_MODERATORS.NAME, name)
                .set(CHAT_RULES_MODERATORS.POINTS, points)
                .set(CHAT_RULES_MODERATORS.DATA, data));
        this.moderatorById = CompiledQuery.of(dsl, dsl.selectFrom(CHAT_RULES_MODERATORS)
                .where(CHAT_RULES_MODERATORS.ID.eq(id)));
        this.insertTimeout = CompiledQuery.of(dsl, dsl.insertInto(CHAT_RULES_TIMEOUTS)
                .set(CHAT_RULES_TIMEOUTS.MOD_ID, DSL.param("mod_id", CHAT_RULES_TIMEOUTS.MOD_ID))
                .set(CHAT_RULES_TIMEOUTS.TARGET, DSL.param("target", CHAT_RULES_TIMEOUTS.TARGET))
                .set(CHAT_RULES_TIMEOUTS.DURATION, DSL.param("duration", CHAT_RULES_TIMEOUTS.DURATION))
                .returningResult(CHAT_RULES_TIMEOUTS.ID));
    }

    /**
     * Registers the module (creating {@code modules_chat_rules_*} on first use) and returns its database.
     *
     * @param db the open database
     * @return the module's database
     */
    public static ChatRules of(FoundupsDb db) {
        return new ChatRules(db.module(MODULE));
    }

    /** @return the module's table-mapped context, for queries this class does not offer */
    public DSLContext dsl() {
        return dsl;
    }

    /**
     * Inserts a moderator, or replaces the one with that id.
     *
     * @param id     the moderator's id
     * @param name   the display name
     * @param points the points
     * @param data   JSON data, or null
     * @throws FoundupsDbException (INVALID_INPUT) when the JSON is malformed
     */
    public void upsertModerator(String id, String name, int points, JSON data) {
        upsertModerator.execute(id, name, points, JsonDocuments.of("data", data));
    }

    /**
     * @param id the moderator's id
     * @return the moderator, if present
     */
    public Optional<ChatRulesModeratorsRecord> moderator(String id) {
        return moderatorById.fetchOptional(id);
    }

    /**
     * Records that a moderator timed a user out.
     *
     * @param modId           the moderator
     * @param target          the user timed out
     * @param durationSeconds how long, in seconds
     * @return the new timeout's id
     * @throws FoundupsDbException (INVALID_INPUT) when the duration is negative
     */
    public long recordTimeout(String modId, String target, int durationSeconds) {
        if (durationSeconds < 0) {
            throw new FoundupsDbException(ErrorCode.INVALID_INPUT, "timeout duration must be 0 or more seconds, was "
                    + durationSeconds);
        }
        return insertTimeout.fetchSingle(modId, target, durationSeconds).value1();
    }

    /**
     * @param target the user
     * @return the timeouts given to that user, oldest first
     */
    public List<ChatRulesTimeoutsRecord> timeoutsFor(String target) {
        return dsl.selectFrom(CHAT_RULES_TIMEOUTS).where(CHAT_RULES_TIMEOUTS.TARGET.eq(target))
                .orderBy(CHAT_RULES_TIMEOUTS.ID).fetch();
    }
}
