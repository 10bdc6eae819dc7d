package dev.foundups.db;

import static dev.foundups.db.jooq.Tables.FOUNDUP_CONTENT;
import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;

import java.util.List;
import java.util.Optional;

import org.jooq.DSLContext;
import org.jooq.JSON;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.jooq.tables.records.FoundupContentRecord;
import dev.foundups.db.jooq.tables.records.FoundupUsersRecord;
import dev.foundups.db.internal.json.JsonDocuments;

/**
 * One FoundUp project's tables, {@code foundups_<id>_*}: its own copy of the FoundUp template. Its {@link #dsl()}
 * renders the generated {@code FOUNDUP_*} tables as this FoundUp's tables.
 */
public final class FoundUp {

    private final String id;
    private final DSLContext dsl;

    FoundUp(String id, DSLContext dsl) {
        this.id = id;
        this.dsl = dsl;
    }

    /** @return the FoundUp's id, such as {@code youtube_bot} */
    public String id() {
        return id;
    }

    /** @return the FoundUp's long-lived, table-mapped context; do not close it */
    public DSLContext dsl() {
        return dsl;
    }

    /**
     * Adds a user.
     *
     * @param userId   the user's id, unique in this FoundUp
     * @param username the display name
     * @throws FoundupsDbException (INVALID_INPUT) when the id is taken
     */
    public void addUser(String userId, String username) {
        try {
            CompiledQuery.templateStatement(dsl, "FoundUp.addUser", d -> d.insertInto(FOUNDUP_USERS)
                    .set(FOUNDUP_USERS.ID, DSL.param("id", FOUNDUP_USERS.ID))
                    .set(FOUNDUP_USERS.USERNAME, DSL.param("username", FOUNDUP_USERS.USERNAME)))
                    .execute(userId, username);
        } catch (DataAccessException e) {
            if (user(userId).isPresent()) {
                throw new FoundupsDbException(ErrorCode.INVALID_INPUT, "FoundUp '" + id + "' already has a user '"
                        + userId + "'", e);
            }
            throw e;
        }
    }

    /**
     * @param userId the user's id
     * @return the user, if present
     */
    public Optional<FoundupUsersRecord> user(String userId) {
        return CompiledQuery.template(dsl, "FoundUp.user", d -> d.selectFrom(FOUNDUP_USERS)
                .where(FOUNDUP_USERS.ID.eq(DSL.param("id", FOUNDUP_USERS.ID)))).fetchOptional(userId);
    }

    /** @return every user, by id */
    public List<FoundupUsersRecord> users() {
        return dsl.selectFrom(FOUNDUP_USERS).orderBy(FOUNDUP_USERS.ID).fetch();
    }

    /**
     * Adds a piece of content by a user of this FoundUp.
     *
     * @param userId   an existing user's id
     * @param content  the content
     * @param metadata JSON metadata, or null
     * @return the new content's id
     * @throws FoundupsDbException (INVALID_INPUT) for an unknown user or malformed JSON; nothing is stored
     */
    public long addContent(String userId, String content, JSON metadata) {
        JSON checked = JsonDocuments.of("metadata", metadata);
        try {
            return CompiledQuery.template(dsl, "FoundUp.addContent", d -> d.insertInto(FOUNDUP_CONTENT)
                    .set(FOUNDUP_CONTENT.USER_ID, DSL.param("user_id", FOUNDUP_CONTENT.USER_ID))
                    .set(FOUNDUP_CONTENT.CONTENT, DSL.param("content", FOUNDUP_CONTENT.CONTENT))
                    .set(FOUNDUP_CONTENT.METADATA, DSL.param("metadata", FOUNDUP_CONTENT.METADATA))
                    .returningResult(FOUNDUP_CONTENT.ID))
                    .fetchSingle(userId, content, checked)
                    .value1();
        } catch (DataAccessException e) {
            if (user(userId).isEmpty()) {
                throw new FoundupsDbException(ErrorCode.INVALID_INPUT, "FoundUp '" + id + "' has no user '" + userId
                        + "': add the user before their content", e);
            }
            throw e;
        }
    }

    /**
     * Adds content with metadata given as JSON text.
     *
     * @param userId       an existing user's id
     * @param content      the content
     * @param metadataJson JSON text, or null
     * @return the new content's id
     * @throws FoundupsDbException (INVALID_INPUT) for an unknown user or malformed JSON; nothing is stored
     */
    public long addContent(String userId, String content, String metadataJson) {
        return addContent(userId, content, JsonDocuments.of("metadata", metadataJson));
    }

    /**
     * @param userId the author
     * @return that user's content, oldest first
     */
    public List<FoundupContentRecord> content(String userId) {
        return dsl.selectFrom(FOUNDUP_CONTENT).where(FOUNDUP_CONTENT.USER_ID.eq(userId))
                .orderBy(FOUNDUP_CONTENT.ID).fetch();
    }

    /** @return all content, oldest first */
    public List<FoundupContentRecord> content() {
        return dsl.selectFrom(FOUNDUP_CONTENT).orderBy(FOUNDUP_CONTENT.ID).fetch();
    }

    @Override
    public String toString() {
        return "FoundUp " + id;
    }
}
