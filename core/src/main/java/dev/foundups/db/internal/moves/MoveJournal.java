package dev.foundups.db.internal.moves;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_MOVES;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.jooq.tables.records.FoundupsdbMovesRecord;

/**
 * The move journal, {@code foundupsdb_moves} in the directory database: every statement that reads or writes it,
 * and the advisory lock that lets one process at a time work on a given name's move.
 */
final class MoveJournal {

    /** First key of the move locks (two-int advisory locks do not share a key space with the bigint ones). */
    private static final int LOCK_CLASS = 0x46444d56; // "FDMV"

    static final String RUNNING = "RUNNING";
    static final String DONE = "DONE";
    static final String ROLLED_BACK = "ROLLED_BACK";

    private final DSLContext dsl;

    /** @param dsl a context on the directory database */
    MoveJournal(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** One move as the journal records it. */
    record Entry(long id, String kind, String name, String source, String target, Method method, Step step,
                 boolean stepDone, String orphanSlot, boolean sourceCleanup) {

        static Entry of(FoundupsdbMovesRecord r) {
            return new Entry(r.getId(), r.getKind(), r.getName(), r.getSourceShard(), r.getTargetShard(),
                    Method.valueOf(r.getMethod()), Step.valueOf(r.getStep()), r.getStepDone(), r.getOrphanSlot(),
                    r.getSourceCleanup());
        }

        /** @return {@code KIND:name}, how messages name what moves */
        String label() {
            return kind + ":" + name;
        }
    }

    /** How a move copies: by logical replication while writers go on, or under a fence. */
    enum Method {
        LOGICAL, OFFLINE
    }

    /** The move of a name that has not finished (running, failed or killed), if any. */
    Optional<Entry> unfinished(String kind, String name) {
        return dsl.selectFrom(FOUNDUPSDB_MOVES)
                .where(FOUNDUPSDB_MOVES.KIND.eq(kind)).and(FOUNDUPSDB_MOVES.NAME.eq(name))
                .and(FOUNDUPSDB_MOVES.STATE.eq(RUNNING))
                .orderBy(FOUNDUPSDB_MOVES.ID.desc())
                .limit(1)
                .fetchOptional(Entry::of);
    }

    /** Unfinished moves off a shard, oldest first: what a drain finishes before it starts new ones. */
    List<Entry> unfinishedFrom(String shard) {
        return dsl.selectFrom(FOUNDUPSDB_MOVES)
                .where(FOUNDUPSDB_MOVES.SOURCE_SHARD.eq(shard)).and(FOUNDUPSDB_MOVES.STATE.eq(RUNNING))
                .orderBy(FOUNDUPSDB_MOVES.ID)
                .fetch(Entry::of);
    }

    /** Finished moves that left something on their source (it was down): an orphan slot, tables, a publication. */
    List<Entry> withLeftovers() {
        return dsl.selectFrom(FOUNDUPSDB_MOVES)
                .where(FOUNDUPSDB_MOVES.ORPHAN_SLOT.isNotNull().or(FOUNDUPSDB_MOVES.SOURCE_CLEANUP.isTrue()))
                .orderBy(FOUNDUPSDB_MOVES.ID)
                .fetch(Entry::of);
    }

    Entry start(String kind, String name, String source, String target, Method method) {
        Instant now = now();
        return Entry.of(dsl.insertInto(FOUNDUPSDB_MOVES)
                .set(FOUNDUPSDB_MOVES.KIND, kind)
                .set(FOUNDUPSDB_MOVES.NAME, name)
                .set(FOUNDUPSDB_MOVES.SOURCE_SHARD, source)
                .set(FOUNDUPSDB_MOVES.TARGET_SHARD, target)
                .set(FOUNDUPSDB_MOVES.METHOD, method.name())
                .set(FOUNDUPSDB_MOVES.STATE, RUNNING)
                .set(FOUNDUPSDB_MOVES.STEP, Step.PLANNED.name())
                .set(FOUNDUPSDB_MOVES.STEP_DONE, false)
                .set(FOUNDUPSDB_MOVES.SOURCE_CLEANUP, false)
                .set(FOUNDUPSDB_MOVES.STARTED_AT, now)
                .set(FOUNDUPSDB_MOVES.UPDATED_AT, now)
                .returning()
                .fetchSingle());
    }

    /** Writes a step as started ({@code done} false) or finished. */
    void step(Entry entry, Step step, boolean done) {
        update(entry, new FoundupsdbMovesRecord().setStep(step.name()).setStepDone(done));
    }

    void failed(Entry entry, String error) {
        update(entry, new FoundupsdbMovesRecord().setLastError(error));
    }

    void figures(Entry entry, Long rows, Long freezeMillis) {
        update(entry, new FoundupsdbMovesRecord().setRowsCopied(rows).setFreezeMillis(freezeMillis));
    }

    /** Records what the cleanup could not reach: a slot on the source, and whether source objects remain. */
    void leftovers(Entry entry, String orphanSlot, boolean sourceCleanup) {
        update(entry, new FoundupsdbMovesRecord().setOrphanSlot(orphanSlot).setSourceCleanup(sourceCleanup));
    }

    /** Ends a move: {@link #DONE} or {@link #ROLLED_BACK}, its last error cleared. */
    void finish(Entry entry, String state) {
        FoundupsdbMovesRecord changes = new FoundupsdbMovesRecord().setState(state).setStep(Step.DONE.name())
                .setStepDone(true).setFinishedAt(now());
        changes.setLastError(null); // set, so that the update clears it
        update(entry, changes);
    }

    /** Writes the fields a record has set (and the time) to a move's row. */
    private void update(Entry entry, FoundupsdbMovesRecord changes) {
        changes.setUpdatedAt(changes.getFinishedAt() != null ? changes.getFinishedAt() : now());
        dsl.update(FOUNDUPSDB_MOVES).set(changes).where(FOUNDUPSDB_MOVES.ID.eq(entry.id())).execute();
    }

    /** The journal's rows of a name, newest first; for reports and tests. */
    List<FoundupsdbMovesRecord> history(String kind, String name) {
        return dsl.selectFrom(FOUNDUPSDB_MOVES)
                .where(FOUNDUPSDB_MOVES.KIND.eq(kind)).and(FOUNDUPSDB_MOVES.NAME.eq(name))
                .orderBy(FOUNDUPSDB_MOVES.ID.desc())
                .fetch();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * Takes the session advisory lock of one name's moves on a connection of its own, without waiting: two
     * processes never work on the same move, and a killed holder's lock goes with its session.
     *
     * @throws FoundupsDbException TRANSFER when another process holds it
     */
    Lock lock(String kind, String name) {
        ConnectionProvider provider = dsl.configuration().connectionProvider();
        Connection connection = provider.acquire();
        boolean locked = false;
        try (PreparedStatement st = connection.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
            st.setInt(1, LOCK_CLASS);
            st.setString(2, kind + ":" + name);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                locked = rs.getBoolean(1);
            }
        } catch (SQLException e) {
            provider.release(connection);
            throw new FoundupsDbException(ErrorCode.DATABASE, "cannot take the move lock of " + kind + ":" + name
                    + ": " + e.getMessage(), e);
        }
        if (!locked) {
            provider.release(connection);
            throw new FoundupsDbException(ErrorCode.TRANSFER, "another process is moving " + kind + ":" + name
                    + " right now; wait for it, or run the move again once it has ended");
        }
        return new Lock(provider, connection, kind + ":" + name);
    }

    /** A held move lock; closing releases it and its connection. */
    record Lock(ConnectionProvider provider, Connection connection, String key) implements AutoCloseable {
        @Override
        public void close() {
            try (PreparedStatement st = connection.prepareStatement("SELECT pg_advisory_unlock(?, hashtext(?))")) {
                st.setInt(1, LOCK_CLASS);
                st.setString(2, key);
                st.execute();
            } catch (SQLException e) {
                // Not unlocked: close the session itself (the pool replaces it), and the lock goes with it.
                try {
                    connection.abort(Runnable::run);
                } catch (SQLException ignored) {
                    // already gone
                }
            } finally {
                provider.release(connection);
            }
        }
    }
}
