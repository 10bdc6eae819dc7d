package dev.foundups.db;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static dev.foundups.db.jooq.Tables.AGENTS_ERRORS;
import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.jooq.DSLContext;
import org.jooq.JSON;
import org.jooq.Record1;
import org.jooq.impl.DSL;

import dev.foundups.db.jooq.tables.records.AgentsAwakeningRecord;
import dev.foundups.db.jooq.tables.records.AgentsErrorsRecord;
import dev.foundups.db.jooq.tables.records.AgentsMemoryRecord;
import dev.foundups.db.internal.json.JsonDocuments;
import dev.foundups.db.internal.sharding.ShardRouting;

/**
 * Shared agent memory, the {@code agents_*} namespace: awakening states, learned patterns and error learning.
 * Every method is one statement in its own transaction.
 *
 * <p>On a sharded database (see {@link Shards}) an agent's awakening and patterns live on the agent's shard: the
 * first write of a new agent places it (on the active shard with the fewest placements), and every call that names
 * an agent runs there. Error learning ({@code agents_errors}) is keyed by error hash and shared by all agents, so it
 * stays on the shard {@code main}.
 */
public final class AgentMemory {

    private final DSLContext dsl;
    /** Null on SQLite; routes once the database is sharded. */
    private final ShardRouting sharding;

    AgentMemory(DSLContext dsl, ShardRouting sharding) {
        this.dsl = dsl;
        this.sharding = sharding;
    }

    /** @return the context of the agent's shard, for a read */
    private DSLContext read(String agentId) {
        return sharding != null && sharding.sharded() ? sharding.agent(agentId, false) : dsl;
    }

    /**
     * Runs a write on the agent's shard, placing a new agent; once more on its new shard when it met the fence of
     * a move this process had not heard of yet.
     */
    private <T> T write(String agentId, Function<DSLContext, T> write) {
        return sharding != null && sharding.sharded() ? sharding.writeAgent(agentId, write) : write.apply(dsl);
    }

    // The hot statements, compiled on first use and kept by each shard's context (see CompiledQuery): opening a
    // database that never learns a pattern does not render them.

    private static CompiledQuery<Record1<Long>> insertPattern(DSLContext dsl) {
        return CompiledQuery.cached(dsl, "AgentMemory.insertPattern", d -> d.insertInto(AGENTS_MEMORY)
                .set(AGENTS_MEMORY.AGENT_ID, DSL.param("agent_id", AGENTS_MEMORY.AGENT_ID))
                .set(AGENTS_MEMORY.PATTERN_TYPE, DSL.param("pattern_type", AGENTS_MEMORY.PATTERN_TYPE))
                .set(AGENTS_MEMORY.PATTERN_DATA, DSL.param("pattern_data", AGENTS_MEMORY.PATTERN_DATA))
                .returningResult(AGENTS_MEMORY.ID));
    }

    private CompiledQuery<Record1<Integer>> upsertError() {
        return CompiledQuery.cached(dsl, "AgentMemory.upsertError", d -> d.insertInto(AGENTS_ERRORS)
                .set(AGENTS_ERRORS.ERROR_HASH, DSL.param("error_hash", AGENTS_ERRORS.ERROR_HASH))
                .set(AGENTS_ERRORS.ERROR_TYPE, DSL.param("error_type", AGENTS_ERRORS.ERROR_TYPE))
                .set(AGENTS_ERRORS.SOLUTION, DSL.param("solution", AGENTS_ERRORS.SOLUTION))
                .set(AGENTS_ERRORS.OCCURRENCES, 1)
                .onConflict(AGENTS_ERRORS.ERROR_HASH)
                .doUpdate()
                .set(AGENTS_ERRORS.OCCURRENCES, AGENTS_ERRORS.OCCURRENCES.plus(1))
                .returningResult(AGENTS_ERRORS.OCCURRENCES));
    }

    /**
     * Records that an agent awakened at a level, now; replaces its previous state, koan included.
     *
     * @param agentId the agent
     * @param level   its consciousness level, such as {@code 0102}
     */
    public void recordAwakening(String agentId, String level) {
        recordAwakening(agentId, level, null);
    }

    /**
     * Records that an agent awakened at a level with a koan, now; replaces its previous state.
     *
     * @param agentId the agent
     * @param level   its consciousness level
     * @param koan    the last koan, or null
     */
    public void recordAwakening(String agentId, String level, String koan) {
        Instant now = Instant.now();
        write(agentId, d -> d.insertInto(AGENTS_AWAKENING)
                .set(AGENTS_AWAKENING.AGENT_ID, agentId)
                .set(AGENTS_AWAKENING.CONSCIOUSNESS_LEVEL, level)
                .set(AGENTS_AWAKENING.LAST_KOAN, koan)
                .set(AGENTS_AWAKENING.AWAKENING_TIMESTAMP, now)
                .onConflict(AGENTS_AWAKENING.AGENT_ID)
                .doUpdate()
                .set(AGENTS_AWAKENING.CONSCIOUSNESS_LEVEL, level)
                .set(AGENTS_AWAKENING.LAST_KOAN, koan)
                .set(AGENTS_AWAKENING.AWAKENING_TIMESTAMP, now)
                .execute());
    }

    /**
     * @param agentId the agent
     * @return its last recorded awakening, if any
     */
    public Optional<AgentsAwakeningRecord> awakening(String agentId) {
        return read(agentId).selectFrom(AGENTS_AWAKENING).where(AGENTS_AWAKENING.AGENT_ID.eq(agentId))
                .fetchOptional();
    }

    /**
     * Stores a learned pattern.
     *
     * @param agentId     the agent that learned it
     * @param patternType its type, such as {@code error_fix}
     * @param patternData the pattern as a JSON document
     * @return the new row's id
     * @throws FoundupsDbException (INVALID_INPUT) when the JSON is malformed; nothing is stored
     */
    public long learnPattern(String agentId, String patternType, JSON patternData) {
        JSON checked = JsonDocuments.of("pattern_data", patternData);
        return write(agentId, d -> insertPattern(d).fetchSingle(agentId, patternType, checked).value1());
    }

    /**
     * Stores a learned pattern given as JSON text.
     *
     * @param agentId     the agent
     * @param patternType its type
     * @param patternJson the pattern, JSON text
     * @return the new row's id
     * @throws FoundupsDbException (INVALID_INPUT) with line and column when the text is not JSON; nothing is stored
     */
    public long learnPattern(String agentId, String patternType, String patternJson) {
        return learnPattern(agentId, patternType, JsonDocuments.of("pattern_data", patternJson));
    }

    /**
     * @param agentId the agent
     * @return its patterns, oldest first
     */
    public List<AgentsMemoryRecord> patterns(String agentId) {
        return read(agentId).selectFrom(AGENTS_MEMORY).where(AGENTS_MEMORY.AGENT_ID.eq(agentId))
                .orderBy(AGENTS_MEMORY.ID).fetch();
    }

    /**
     * @param agentId     the agent
     * @param patternType the type
     * @return its patterns of that type, oldest first
     */
    public List<AgentsMemoryRecord> patterns(String agentId, String patternType) {
        return read(agentId).selectFrom(AGENTS_MEMORY).where(AGENTS_MEMORY.AGENT_ID.eq(agentId))
                .and(AGENTS_MEMORY.PATTERN_TYPE.eq(patternType))
                .orderBy(AGENTS_MEMORY.ID).fetch();
    }

    /**
     * Records a sighting of an error (WSP 48). The first sighting stores type and solution; each repeat adds one
     * to {@code occurrences}. One atomic statement, so concurrent callers never lose a count.
     *
     * @param errorHash identifies the error
     * @param errorType its type, such as {@code KeyError}
     * @param solution  the solution, as JSON; kept from the first sighting
     * @return the number of sightings so far, this one included
     * @throws FoundupsDbException (INVALID_INPUT) when the JSON is malformed; nothing is stored
     */
    public int recordError(String errorHash, String errorType, JSON solution) {
        return upsertError().fetchSingle(errorHash, errorType, JsonDocuments.of("solution", solution)).value1();
    }

    /**
     * Records a sighting of an error, with the solution given as JSON text.
     *
     * @param errorHash    identifies the error
     * @param errorType    its type
     * @param solutionJson the solution, JSON text
     * @return the number of sightings so far
     * @throws FoundupsDbException (INVALID_INPUT) with line and column when the text is not JSON
     */
    public int recordError(String errorHash, String errorType, String solutionJson) {
        return recordError(errorHash, errorType, JsonDocuments.of("solution", solutionJson));
    }

    /**
     * @param errorHash identifies the error
     * @return what is known of it, if it was ever recorded
     */
    public Optional<AgentsErrorsRecord> error(String errorHash) {
        return dsl.selectFrom(AGENTS_ERRORS).where(AGENTS_ERRORS.ERROR_HASH.eq(errorHash)).fetchOptional();
    }
}
