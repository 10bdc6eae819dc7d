package dev.foundups.db.internal.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.jooq.exception.DataAccessException;

import dev.foundups.db.DatabaseListener;
import dev.foundups.db.FoundupsDbException;

/**
 * Group commit: the single-statement writes that threads of this process start while another write runs are
 * applied together, under one SQLite transaction, and committed once.
 *
 * <p>Leader and followers. A write joins the {@link WriteQueue}; when no group is running it becomes the leader,
 * takes the writer's turn ({@link SingleWriter}: the gate, and so the process lock) once, and takes every write
 * queued by then into its {@link WriteGroup}. A group of one runs exactly as a lone write: in autocommit, paying no
 * transaction, savepoint or wait. A larger group runs in one transaction, each write inside a savepoint of its own,
 * then one {@code COMMIT}, one WAL check, and only then each caller learns its result: a write is acknowledged after
 * the commit that holds it returned. Writes that queue while a transaction runs join it (up to {@link #MAX_GROUP});
 * those that queue after it, the leader leads as the next group while it still holds the gate (up to
 * {@link #MAX_ROUNDS} groups, each committed and acknowledged before the next), then the first queued write leads.
 * So groups grow with the load. A transaction's group that has fewer writes than the group before it waits for
 * the missing writers briefly before its commit, no longer than a commit takes: on a machine with fewer cores than
 * writers, a writer woken by the last commit is often not yet back when the leader would commit, and a commit
 * costs more than several writes inside one.
 *
 * <p>Two kinds of member. A {@link WriteDiscipline.Write} (a compiled statement) is run by the leader itself, on the
 * leader's thread: no hand-over per write. A jOOQ statement is run by its own thread ({@link #enterTurn}): the
 * leader lends it the connection inside its savepoint and waits until it is done ({@link #leaveTurn}).
 *
 * <p>Transactions ({@code dsl.transaction}), DDL, PRAGMAs, migrations and checkpoints do not join: they take the
 * writer's turn alone, between groups.
 */
final class GroupCommit {

    /** At most this many writes in one transaction, so that a steady stream of writers still sees commits. */
    static final int MAX_GROUP = 64;
    /** A leader leads at most this many groups in a row before it hands the lead on and returns. */
    static final int MAX_ROUNDS = 4;
    /** Bounds of a group's wait for the writers of the previous one (see runFrom). */
    static final long MIN_GATHER_NANOS = 20_000;
    static final long MAX_GATHER_NANOS = 200_000;

    private final SingleWriter writer;
    /** Told how long each group's leader waited for the write lock. */
    private final DatabaseListener events;
    private final WriteQueue queue = new WriteQueue();
    private final WriteGroup.Statements statements = new WriteGroup.Statements();

    // Guarded by the gate:
    /**
     * How many writes the last group held: the writers a group waits for before it commits (see runFrom); with more
     * than one, the next group opens a transaction others can join.
     */
    private int lastSize;
    /** How long the last group's COMMIT took: the longest a group waits for its writers. */
    private long lastCommitNanos;
    /** Groups committed and the writes in them, for the log on close. */
    private long groupCount;
    private long writeCount;

    GroupCommit(SingleWriter writer, DatabaseListener events) {
        this.writer = writer;
        this.events = events;
    }

    /**
     * Runs one write, alone or in a group, and returns once it is committed.
     *
     * @param work the write
     * @param <T>  its result's type
     * @return its result
     * @throws SQLException        when it failed, or the commit of its group failed
     * @throws FoundupsDbException BUSY as for any write
     */
    @SuppressWarnings("unchecked")
    <T> T write(WriteDiscipline.Write<T> work) throws SQLException {
        GroupMember me = enter(work);
        if (me.state == GroupMember.LEAD) {
            WriteGroup group = me.group;
            try {
                runMember(group, me);
                runRest(group);
            } finally {
                finish(group);
            }
        }
        if (me.error != null) {
            throwUnchecked(me.error);
            throw me.error instanceof SQLException e ? e : new SQLException(me.error.getMessage(), me.error);
        }
        return (T) me.result;
    }

    /**
     * Joins a group for a statement the caller runs itself (a jOOQ statement). On return the caller runs it on
     * {@link GroupMember#connection()}, then calls {@link #leaveTurn}.
     *
     * @return the caller's membership
     * @throws FoundupsDbException BUSY as for any write
     */
    GroupMember enterTurn() {
        GroupMember me = enter(null);
        if (me.state == GroupMember.DONE) {
            // Failed before its turn: its leader could not take the gate, or its group's transaction broke.
            throwUnchecked(me.error);
            throw new DataAccessException(me.error.getMessage(), me.error);
        }
        WriteGroup group = me.group;
        if (me.state == GroupMember.LEAD && group.transaction) {
            if (group.broken == null) {
                try {
                    group.savepoint();
                } catch (SQLException e) {
                    group.broken = e;
                }
            }
            if (group.broken != null) {
                // The leader's own statement cannot run; the others still must.
                SQLException broken = group.broken;
                try {
                    runRest(group);
                } finally {
                    finish(group);
                }
                throw new DataAccessException("cannot begin the write: " + broken.getMessage(), broken);
            }
        }
        return me;
    }

    /**
     * After the caller's statement ran: waits for the commit of its group (as its leader, runs the rest and commits).
     *
     * @param me the membership {@link #enterTurn} returned
     * @param ok whether the statement succeeded
     * @throws DataAccessException when the statement succeeded but its group's commit failed
     */
    void leaveTurn(GroupMember me, boolean ok) {
        if (me.state == GroupMember.LEAD) {
            WriteGroup group = me.group;
            try {
                group.endSavepoint(me, ok);
                runRest(group);
            } finally {
                finish(group);
            }
        } else {
            me.ranOk = ok;
            me.state = GroupMember.RAN;
            LockSupport.unpark(me.leader);
            me.awaitNot(GroupMember.RAN);
        }
        if (ok && me.error != null) {
            throwUnchecked(me.error);
            throw new DataAccessException("the write was rolled back: " + me.error.getMessage(), me.error);
        }
    }

    /** @return how many writes ran in how many groups so far; call with the gate held */
    String summary() {
        return writeCount + " single-statement writes in " + groupCount + " groups";
    }

    /** Queues a member and waits until it leads a group, has its turn, or is done. */
    private GroupMember enter(WriteDiscipline.Write<?> work) {
        writer.refuseWhileHeld();
        writer.open(); // the first time, before the gate: opening parses the schema
        GroupMember me = new GroupMember(work, System.nanoTime() + writer.timeout().toNanos());
        if (queue.leadOrQueue(me)) {
            startGroup(me);
        } else {
            me.awaitNot(GroupMember.WAITING);
            if (me.state == GroupMember.LEAD) {
                startGroup(me);
            }
        }
        return me;
    }

    /**
     * As the leader: takes the gate, then the members queued meanwhile, the connection, and begins the
     * transaction when there are several. Leaves {@code me} in state LEAD with its group, or DONE when it failed.
     */
    private void startGroup(GroupMember me) {
        me.state = GroupMember.LEAD;
        try {
            events.writeWaited(writer.take(me.deadline));
        } catch (RuntimeException | Error e) {
            me.error = e;
            me.state = GroupMember.DONE;
            queue.handOver();
            return;
        }
        List<GroupMember> members = new ArrayList<>();
        members.add(me);
        queue.takeInto(members, MAX_GROUP);
        WriteGroup group = open(members, me);
        if (group == null) {
            endLead(me);
            return;
        }
        me.group = group;
        me.connection = group.connection;
    }

    /**
     * A group on the writer's connection. A write that finds others queued, or follows a group that had several,
     * opens a transaction that the writes queued while it runs can join; a lone writer stays in autocommit. When the
     * connection cannot be had, every member fails with that error, and all but the leader are done.
     *
     * @return the group, or null when there is no connection
     */
    private WriteGroup open(List<GroupMember> members, GroupMember leader) {
        Connection connection;
        try {
            connection = writer.connection();
        } catch (SQLException | RuntimeException | Error e) {
            for (GroupMember m : members) {
                m.error = e;
                if (m != leader) {
                    m.moveTo(GroupMember.DONE);
                }
            }
            return null;
        }
        return new WriteGroup(members, connection, members.size() > 1 || lastSize > 1, statements);
    }

    /** Runs one member inside its savepoint (a write: on this thread; a statement: lent to its thread). */
    private void runMember(WriteGroup group, GroupMember m) {
        if (group.broken != null) {
            m.error = group.broken;
            return;
        }
        try {
            group.savepoint();
        } catch (SQLException e) {
            m.error = e;
            return;
        }
        boolean ok;
        if (m.work != null) {
            try {
                m.result = m.work.run(group.connection);
                ok = true;
            } catch (Throwable e) {
                m.error = e;
                ok = false;
            }
        } else {
            m.connection = group.connection;
            m.leader = Thread.currentThread();
            m.moveTo(GroupMember.TURN);
            m.awaitNot(GroupMember.TURN);
            ok = m.ranOk;
        }
        group.endSavepoint(m, ok);
    }

    /**
     * As the leader: every member after the leader's own, then the commit. Writes queued while a transaction's
     * members run join it, up to {@link #MAX_GROUP} members: under load that is where most of them come from.
     */
    private void runRest(WriteGroup group) {
        runFrom(group, 1);
    }

    private void runFrom(WriteGroup group, int first) {
        int next = first;
        long gatherUntil = 0;
        while (true) {
            while (next < group.members.size()) {
                runMember(group, group.members.get(next++));
            }
            if (!group.transaction || group.broken != null) {
                break;
            }
            if (queue.takeInto(group.members, MAX_GROUP)) {
                continue;
            }
            // The writers of the last group are between two writes: while fewer have come back than were in it,
            // wait for them a moment, at most as long as a commit takes. Yielding lets a writer that was just
            // woken run on this core when the other cores are busy.
            if (group.members.size() >= lastSize) {
                break;
            }
            long now = System.nanoTime();
            if (gatherUntil == 0) {
                gatherUntil = now + Math.min(MAX_GATHER_NANOS, Math.max(MIN_GATHER_NANOS, lastCommitNanos));
            } else if (now >= gatherUntil) {
                break;
            }
            Thread.yield();
        }
        lastSize = group.members.size();
        long started = System.nanoTime();
        group.commit();
        if (group.transaction) {
            lastCommitNanos = System.nanoTime() - started;
        }
    }

    /** As the leader, after the commit: gives the connection and the gate back, then wakes every member. */
    private void finish(WriteGroup group) {
        GroupMember leader = group.members.get(0);
        try {
            for (int round = 1; ; round++) {
                endGroup(group, leader);
                // Writes queued meanwhile: lead their group too, while holding the gate, rather than wake one of
                // them to lead (a wake-up on every group's path). A few rounds at most, for the leader's own caller
                // and for transactions waiting for the gate.
                if (round >= MAX_ROUNDS) {
                    break;
                }
                group = continueWith(leader);
                if (group == null) {
                    break;
                }
                runFrom(group, 0);
            }
        } finally {
            endLead(leader);
        }
    }

    /** After a group's commit: the connection back to its pool, the WAL check, and each member told its result. */
    private void endGroup(WriteGroup group, GroupMember leader) {
        try {
            try {
                group.connection.close();
            } catch (SQLException ignored) {
                // a pooled connection's close only hands it back
            }
            groupCount++;
            writeCount += group.members.size();
            if (!group.toCommit.isEmpty()) {
                writer.afterCommit();
            }
        } finally {
            for (GroupMember m : group.members) {
                if (m != leader) {
                    m.moveTo(GroupMember.DONE);
                }
            }
        }
    }

    /** @return a group of the writes queued now, begun, with the gate still held; null when none are queued */
    private WriteGroup continueWith(GroupMember leader) {
        List<GroupMember> members = new ArrayList<>();
        if (!queue.takeInto(members, MAX_GROUP)) {
            return null;
        }
        return open(members, leader);
    }

    /** The leader's last step: the gate released, the lead handed to the next queued write, the leader done. */
    private void endLead(GroupMember leader) {
        try {
            writer.release();
        } finally {
            queue.handOver();
            leader.state = GroupMember.DONE;
        }
    }

    private static void throwUnchecked(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error r) {
            throw r;
        }
    }
}
