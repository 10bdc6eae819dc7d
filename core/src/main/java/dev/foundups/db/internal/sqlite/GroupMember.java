package dev.foundups.db.internal.sqlite;

import java.sql.Connection;
import java.util.concurrent.locks.LockSupport;

/**
 * One caller's write in a {@link GroupCommit}, from joining the queue to its result.
 *
 * <p>Its thread parks while the state is the one it waits on, and whoever moves the state on wakes it: the fields a
 * move hands over (result, error, connection, group) are written before the volatile state, so the woken thread
 * sees them.
 */
final class GroupMember {

    /** Queued: another write leads. */
    static final int WAITING = 0;
    /** Promoted: this member leads a group; the gate is held and the connection ready. */
    static final int LEAD = 1;
    /** Another thread leads; the connection is lent to this member's thread for its statement. */
    static final int TURN = 2;
    /** The member's thread ran its statement; the leader goes on. */
    static final int RAN = 3;
    /** Finished: committed or failed. */
    static final int DONE = 4;

    final Thread thread = Thread.currentThread();
    /** A compiled statement, which the leader runs itself; null for a jOOQ statement, run by its own thread. */
    final WriteDiscipline.Write<?> work;
    /** When waiting for the gate must give up: the busy timeout counts from joining the queue. */
    final long deadline;
    volatile int state = WAITING;
    volatile boolean ranOk;
    /** The thread leading this member's group, to wake when its statement ran. */
    Thread leader;
    /** The group this member leads; null unless it is a leader. */
    WriteGroup group;
    Connection connection;
    Object result;
    Throwable error;

    GroupMember(WriteDiscipline.Write<?> work, long deadline) {
        this.work = work;
        this.deadline = deadline;
    }

    /** @return the connection this member's statement runs on, while it has its turn or leads */
    Connection connection() {
        return connection;
    }

    /** Moves this member to a state and wakes its thread. */
    void moveTo(int next) {
        state = next;
        LockSupport.unpark(thread);
    }

    /** Parks until this member's state moves on from {@code current}; interrupts are kept for the caller. */
    void awaitNot(int current) {
        boolean interrupted = false;
        while (state == current) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
