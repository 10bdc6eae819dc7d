package dev.foundups.db.internal.sharding;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.routing.SqlStates;

/**
 * What a statement does when it meets the fence of a move. A move takes the namespace's tables on the old shard
 * out of the search path ({@code ALTER TABLE ... SET SCHEMA foundupsdb_moved}) in the transaction that locks them,
 * after marking the placement MOVING; statements queued on the lock, or sent later with a stale placement, fail
 * there with SQLState {@code 42P01} (undefined table), so nothing is written to the old place.
 *
 * <p>Such a failure is a move only if the directory says so: the placement is MOVING, or names another epoch or
 * shard than the one the statement ran on. Anything else (a dropped namespace, a user's own wrong table) is the
 * error it looks like. For a move, a single statement outside a transaction waits until the placement is ACTIVE
 * again (polling the directory every 20 ms, at most {@code moveWaitTimeout}) and runs again where it names; a
 * statement inside a transaction cannot be replayed, and its transaction fails with
 * {@link ErrorCode#NAMESPACE_MOVED}. An agent's read or write waits the same way, before it runs, while the agent's
 * placement is MOVING ({@link #awaitAgent}).
 */
final class MoveFence {

    /** PostgreSQL's "undefined table". */
    static final String UNDEFINED_TABLE = "42P01";
    private static final long POLL_MILLIS = 20;

    private final Directory directory;
    private final PlacementCache cache;
    private final Duration timeout;

    MoveFence(Directory directory, PlacementCache cache, Duration timeout) {
        this.directory = directory;
        this.cache = cache;
        this.timeout = timeout;
    }

    /** @return whether a failure is PostgreSQL's undefined table */
    static boolean undefinedTable(SQLException e) {
        return SqlStates.has(e, UNDEFINED_TABLE);
    }

    /**
     * @param failure  what the statement got
     * @param borrowed the placement its connection was borrowed for
     * @return whether the failure is the fence of a move of that placement (one read of the directory)
     */
    boolean isMove(SQLException failure, Placement borrowed) {
        if (!undefinedTable(failure)) {
            return false;
        }
        cache.invalidate(borrowed.key());
        return directory.placement(borrowed.kind(), borrowed.name()).map(now -> moved(now, borrowed)).orElse(false);
    }

    /**
     * After a single statement outside a transaction failed: when it met the fence of a move, waits for the move to
     * end.
     *
     * @param failure  what the statement got
     * @param borrowed the placement its connection was borrowed for
     * @return where to run it again, or null when the failure is not a move (rethrow it)
     * @throws FoundupsDbException NAMESPACE_MOVED when the move does not end within {@code moveWaitTimeout}
     */
    Placement awaitMove(SQLException failure, Placement borrowed) {
        if (!undefinedTable(failure)) {
            return null;
        }
        cache.invalidate(borrowed.key());
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean sawMoving = false;
        while (true) {
            Optional<Placement> row = directory.placement(borrowed.kind(), borrowed.name());
            if (row.isEmpty()) {
                return null;
            }
            Placement now = row.get();
            if (now.state() == Placement.State.MOVING) {
                sawMoving = true;
            } else if (sawMoving || moved(now, borrowed)) {
                return now; // moved, or a move rolled back: its tables are in place again
            } else {
                return null;
            }
            pause(deadline, borrowed, failure);
        }
    }

    /**
     * Before an agent's rows are read or written: waits while the agent is MOVING (agents move offline, so nothing
     * is fenced; the directory says when the move ends).
     *
     * @param moving the agent's placement, MOVING
     * @return its placement once the move ended
     * @throws FoundupsDbException NAMESPACE_MOVED when the move does not end within {@code moveWaitTimeout}
     */
    Placement awaitAgent(Placement moving) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Placement placement = moving;
        while (placement.state() == Placement.State.MOVING) {
            pause(deadline, placement, null);
            cache.invalidate(placement.key());
            placement = directory.placement(placement.kind(), placement.name()).orElse(placement);
        }
        return placement;
    }

    /**
     * One poll interval of a wait for a move to end.
     *
     * @param failure what the waiting statement got, or null
     * @throws FoundupsDbException NAMESPACE_MOVED once the deadline passed, or when interrupted
     */
    private void pause(long deadline, Placement placement, SQLException failure) {
        if (System.nanoTime() > deadline) {
            throw new FoundupsDbException(ErrorCode.NAMESPACE_MOVED, placement.describe() + " is being moved to "
                    + "another shard, and the move did not finish within moveWaitTimeout (" + timeout.toMillis()
                    + " ms); nothing was written. Retry later", failure);
        }
        try {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FoundupsDbException(ErrorCode.NAMESPACE_MOVED, "interrupted while waiting for the move of "
                    + placement.describe() + "; nothing was written", failure);
        }
    }

    /**
     * @param failure  the statement's failure
     * @param borrowed the placement its transaction ran on
     * @return the failure of a transaction that met the fence
     */
    static FoundupsDbException movedInTransaction(SQLException failure, Placement borrowed) {
        return new FoundupsDbException(ErrorCode.NAMESPACE_MOVED, borrowed.describe() + " was moved to another "
                + "shard during this transaction, which cannot go on: nothing of it is written to the old shard. "
                + "Roll it back (jOOQ's transaction() does) and run it again: it will run on the new shard", failure);
    }

    private static boolean moved(Placement now, Placement borrowed) {
        return now.state() == Placement.State.MOVING || now.epoch() != borrowed.epoch()
                || !now.shard().equals(borrowed.shard());
    }
}
