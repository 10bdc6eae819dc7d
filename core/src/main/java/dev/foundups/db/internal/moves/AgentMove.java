package dev.foundups.db.internal.moves;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_AGENT_FENCES;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Result;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.JooqSettings;
import dev.foundups.db.internal.moves.MoveContext.Point;
import dev.foundups.db.internal.naming.SqlIdentifier;
import dev.foundups.db.jooq.tables.records.AgentsMemoryRecord;

/**
 * One agent's move: its {@code agents_awakening} row and {@code agents_memory} rows, from one shard's shared
 * tables to another's. Logical replication cannot publish some rows of a table before PostgreSQL 15, so this is a
 * row copy under a fence:
 *
 * <ol>
 *   <li>the directory marks the agent MOVING (agent writes wait while it is), and the move waits a moment for
 *       processes to hear of it;</li>
 *   <li>on the source, {@code LOCK ... IN SHARE ROW EXCLUSIVE MODE} on both tables drains agent writes already on
 *       their way (it blocks every agent's writes on that shard for the few milliseconds of the copy), and the
 *       directory row is read again: it must still say MOVING from this source;</li>
 *   <li>the target, in its own transaction, drops whatever an interrupted run copied (and the fence of an earlier
 *       move away from it), takes the rows (pattern ids kept when none is taken there, else new ones in the same
 *       order) and checks count and checksum against the source; it commits;</li>
 *   <li>in the locking transaction the source gets the agent's fence: a row in {@code foundupsdb_agent_fences} and
 *       the trigger {@code foundupsdb_agent_fence} on both tables, which refuses the agent's writes there from then
 *       on (SQLState {@value Moves#AGENT_FENCED}), so a process with a stale directory cannot write where nobody reads;</li>
 *   <li>the directory flips, then the source rows are deleted in the locking transaction, which commits.</li>
 * </ol>
 *
 * A crash before the flip leaves the source's rows authoritative (the target's copy is replaced by the rerun); a
 * crash after it leaves only the source's fence and delete, which the rerun does in one transaction.
 */
final class AgentMove {

    private static final String TRIGGER = "foundupsdb_agent_fence";

    private static final Settings SETTINGS = JooqSettings.plain();
    private static final List<String> AWAKENING_COLUMNS = names(AGENTS_AWAKENING);
    private static final List<String> MEMORY_COLUMNS = names(AGENTS_MEMORY).stream()
            .filter(c -> !c.equals(AGENTS_MEMORY.ID.getName())).toList();
    private static final int BATCH = 500;

    private final MoveContext m;
    private final String agent;
    private long rows = -1;
    private Duration freeze;
    private String note;

    AgentMove(MoveContext context) {
        this.m = context;
        this.agent = context.entry.name();
    }

    Moves.Report run(boolean resumed) {
        long started = System.nanoTime();
        Step from = m.resumeFrom();
        if (m.flipped()) {
            from = Step.SOURCE_CLEANED;
        } else if (from.compareTo(Step.MARKED) > 0) {
            from = Step.MARKED; // the copy is redone whole: the locking transaction died with the run
        }
        if (from.compareTo(Step.MARKED) <= 0) {
            m.step(Step.MARKED, () -> {
                m.directory.markMoving(m.entry.kind(), agent);
                Replication.pause(m.settings.agentGrace().toMillis());
            });
            copyFlipAndDelete();
        } else {
            m.step(Step.SOURCE_CLEANED, () -> fenceAndDelete(m.source()));
        }
        m.journal.figures(m.entry, rows < 0 ? null : rows, freeze == null ? null : freeze.toMillis());
        m.journal.finish(m.entry, MoveJournal.DONE);
        return new Moves.Report(m.entry.kind(), agent, m.entry.source(), m.entry.target(), m.entry.method().name(),
                resumed, rows, Duration.ofNanos(System.nanoTime() - started), freeze, null, false, note);
    }

    /** Undoes a move that has not flipped: the copy a killed run committed on the target goes. */
    void rollBack() {
        if (m.flipped()) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, m.entry.label() + " has already been switched to shard '"
                    + m.entry.target() + "'; its move can only be finished (run it again)");
        }
        delete(dsl(m.target()));
        m.directory.restore(m.entry.kind(), agent);
        m.journal.finish(m.entry, MoveJournal.ROLLED_BACK);
    }

    private void copyFlipAndDelete() {
        Connection source = m.source();
        try {
            source.setAutoCommit(false);
            DSLContext s = dsl(source);
            String schema = NamespaceTables.currentSchema(source);
            long locked = new Fence(m.settings.lockTimeout(), m.settings.lockAttempts()).lock(source,
                    SqlIdentifier.qualified(schema, AGENTS_MEMORY.getName()) + ", "
                            + SqlIdentifier.qualified(schema, AGENTS_AWAKENING.getName()), "SHARE ROW EXCLUSIVE");
            m.step(Step.FENCED, () -> {
                Moves.Placement now = m.directory.placement(m.entry.kind(), agent);
                if (now == null || !now.shard().equals(m.entry.source()) || !Moves.MOVING.equals(now.state())) {
                    throw new FoundupsDbException(ErrorCode.TRANSFER, "the directory changed under the move of "
                            + m.entry.label() + ": " + now);
                }
                m.hook.reached(m.entry.label(), Step.FENCED, Point.LOCKED);
                rows = copy(s, m.target());
                fence(s, schema); // before the flip: a source that cannot take it fails the move while it can roll back
            });
            m.step(Step.FLIPPED, () -> m.directory.flip(m.entry.kind(), agent, m.entry.target()));
            m.step(Step.SOURCE_CLEANED, () -> {
                delete(s);
                source.commit();
            });
            freeze = Duration.ofNanos(System.nanoTime() - locked);
        } catch (SQLException | RuntimeException e) {
            try {
                source.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof RuntimeException r ? r : new FoundupsDbException(ErrorCode.TRANSFER,
                    m.entry.label() + ": " + e.getMessage(), e);
        } finally {
            try {
                source.setAutoCommit(true);
            } catch (SQLException ignored) {
                // the connection is closed with the move
            }
        }
    }

    /** Copies the agent's rows into the target in one transaction, verified before it commits. */
    private long copy(DSLContext s, Connection targetConnection) throws SQLException {
        return Transaction.run(targetConnection, () -> {
            DSLContext t = dsl(targetConnection);
            delete(t);
            // An agent coming back: its fence from the move away would refuse the copy and its own writes.
            t.deleteFrom(FOUNDUPSDB_AGENT_FENCES).where(FOUNDUPSDB_AGENT_FENCES.AGENT_ID.eq(agent)).execute();
            var awakening = s.selectFrom(AGENTS_AWAKENING).where(AGENTS_AWAKENING.AGENT_ID.eq(agent)).fetchOptional();
            awakening.ifPresent(r -> t.insertInto(AGENTS_AWAKENING)
                    .set(AGENTS_AWAKENING.AGENT_ID, r.getAgentId())
                    .set(AGENTS_AWAKENING.CONSCIOUSNESS_LEVEL, r.getConsciousnessLevel())
                    .set(AGENTS_AWAKENING.LAST_KOAN, r.getLastKoan())
                    .set(AGENTS_AWAKENING.AWAKENING_TIMESTAMP, r.getAwakeningTimestamp())
                    .execute());
            Result<AgentsMemoryRecord> memory = s.selectFrom(AGENTS_MEMORY).where(AGENTS_MEMORY.AGENT_ID.eq(agent))
                    .orderBy(AGENTS_MEMORY.ID).fetch();
            List<Long> ids = memory.getValues(AGENTS_MEMORY.ID);
            boolean keepIds = ids.isEmpty() || !t.fetchExists(AGENTS_MEMORY, AGENTS_MEMORY.ID.in(ids));
            note = keepIds ? null : "pattern ids were taken on shard '" + m.entry.target() + "': the agent's "
                    + memory.size() + " patterns got new ids there, in the same order";
            for (int i = 0; i < memory.size(); i += BATCH) {
                var insert = t.insertInto(AGENTS_MEMORY, AGENTS_MEMORY.ID, AGENTS_MEMORY.AGENT_ID,
                        AGENTS_MEMORY.PATTERN_TYPE, AGENTS_MEMORY.PATTERN_DATA, AGENTS_MEMORY.LEARNED_AT);
                for (AgentsMemoryRecord r : memory.subList(i, Math.min(memory.size(), i + BATCH))) {
                    insert = insert.values(keepIds ? DSL.val(r.getId(), AGENTS_MEMORY.ID)
                                    : DSL.default_(AGENTS_MEMORY.ID), DSL.val(r.getAgentId(), AGENTS_MEMORY.AGENT_ID),
                            DSL.val(r.getPatternType(), AGENTS_MEMORY.PATTERN_TYPE),
                            DSL.val(r.getPatternData(), AGENTS_MEMORY.PATTERN_DATA),
                            DSL.val(r.getLearnedAt(), AGENTS_MEMORY.LEARNED_AT));
                }
                insert.execute();
            }
            if (keepIds && !ids.isEmpty()) {
                // Ids inserted as given bypass the target's sequence: move it past them, never back.
                t.resultQuery("SELECT setval(pg_get_serial_sequence({0}, {1})::regclass, greatest(coalesce("
                                + "pg_sequence_last_value(pg_get_serial_sequence({0}, {1})::regclass), 0), {2}))",
                        DSL.val(AGENTS_MEMORY.getName()), DSL.val(AGENTS_MEMORY.ID.getName()),
                        DSL.val(ids.get(ids.size() - 1))).fetch();
            }
            verify(m.source(), targetConnection, AGENTS_AWAKENING, AWAKENING_COLUMNS);
            verify(m.source(), targetConnection, AGENTS_MEMORY, MEMORY_COLUMNS);
            return (long) (awakening.isPresent() ? 1 : 0) + memory.size();
        });
    }

    private void verify(Connection source, Connection target, Table<?> table, List<String> columns)
            throws SQLException {
        String from = SqlIdentifier.qualified(NamespaceTables.currentSchema(source), table.getName());
        String to = SqlIdentifier.qualified(NamespaceTables.currentSchema(target), table.getName());
        RowCopy.Sum a = RowCopy.sum(source, from, columns, AGENTS_AWAKENING.AGENT_ID.getName(), agent);
        RowCopy.Sum b = RowCopy.sum(target, to, columns, AGENTS_AWAKENING.AGENT_ID.getName(), agent);
        if (!a.equals(b)) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, "the copy of agent '" + agent + "' in "
                    + table.getName() + " does not match its source (" + a + " there, " + b + " here); nothing was "
                    + "switched, the move can be run again");
        }
    }

    /**
     * Refuses the agent's writes on the source from the commit of the caller's transaction on: its fence row, and the
     * trigger that reads it on both tables (attached by the first agent that leaves, so a shard none left pays
     * nothing). Run where both tables are locked against writes: creating a trigger takes that lock anyway.
     */
    private void fence(DSLContext s, String schema) {
        s.insertInto(FOUNDUPSDB_AGENT_FENCES)
                .set(FOUNDUPSDB_AGENT_FENCES.AGENT_ID, agent)
                .set(FOUNDUPSDB_AGENT_FENCES.TARGET_SHARD, m.entry.target())
                .onConflict(FOUNDUPSDB_AGENT_FENCES.AGENT_ID).doUpdate()
                .set(FOUNDUPSDB_AGENT_FENCES.TARGET_SHARD, m.entry.target())
                .set(FOUNDUPSDB_AGENT_FENCES.FENCED_AT, Instant.now())
                .execute();
        String function = SqlIdentifier.qualified(schema, TRIGGER);
        for (Table<?> table : List.of(AGENTS_AWAKENING, AGENTS_MEMORY)) {
            String on = SqlIdentifier.qualified(schema, table.getName());
            // DROP and CREATE rather than CREATE OR REPLACE TRIGGER, which needs PostgreSQL 14.
            s.execute("DROP TRIGGER IF EXISTS " + TRIGGER + " ON " + on);
            s.execute("CREATE TRIGGER " + TRIGGER + " BEFORE INSERT OR UPDATE ON " + on
                    + " FOR EACH ROW EXECUTE FUNCTION " + function + "()");
        }
    }

    /** After a crash that followed the flip: the source's fence and delete, in one transaction. */
    private void fenceAndDelete(Connection source) throws SQLException {
        Transaction.run(source, () -> {
            DSLContext s = dsl(source);
            fence(s, NamespaceTables.currentSchema(source));
            delete(s);
            return null;
        });
    }

    private void delete(DSLContext dsl) {
        dsl.deleteFrom(AGENTS_MEMORY).where(AGENTS_MEMORY.AGENT_ID.eq(agent)).execute();
        dsl.deleteFrom(AGENTS_AWAKENING).where(AGENTS_AWAKENING.AGENT_ID.eq(agent)).execute();
    }

    private static DSLContext dsl(Connection connection) {
        return DSL.using(connection, SQLDialect.POSTGRES, SETTINGS);
    }

    private static List<String> names(Table<?> table) {
        return Arrays.stream(table.fields()).map(Field::getName).toList();
    }
}
