package dev.foundups.db.internal.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import org.jooq.exception.DataAccessException;

import dev.foundups.db.DatabaseListener;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/**
 * Group commit: the single-statement writes that threads of this process start while another write runs are
 * applied together, under one SQLite transaction, and committed once.
 *
 * <p>Leader and followers. A write joins a queue; when no group is running it becomes the leader, takes the
 * {@link WriteGate} (and so the process lock) once, and takes every write queued by then into its group. A group of
 * one runs exactly as a lone write did before, in autocommit: a lone writer pays no transaction, savepoint or wait.
 * A larger group runs under {@code BEGIN IMMEDIATE}, each write inside a savepoint of its own: a write that fails is
 * rolled back to its savepoint and fails alone; the others go on. Then one {@code COMMIT}, one WAL check, the gate
 * released, and only then each caller learns its result: a write is acknowledged after the commit that holds it
 * returned, as before. Writes that queue while a transaction runs join it (up to {@link #MAX_GROUP}); those that
 * queue after it, the leader leads as the next group while it still holds the gate (up to {@link #MAX_ROUNDS}
 * groups, each committed and acknowledged before the next), then the first queued write leads. So groups grow with
 * the load and need no delay.
 *
 * <p>Two kinds of member. A {@link WriteDiscipline.Write} (a compiled statement) is run by the leader itself, on the
 * leader's thread: no hand-over per write. A jOOQ statement is run by its own thread ({@link #enterTurn}): the
 * leader lends it the connection inside its savepoint and waits until it is done ({@link #leaveTurn}).
 *
 * <p>Transactions ({@code dsl.transaction}), DDL, PRAGMAs, migrations and checkpoints do not join: they take the
 * gate alone, as before, between groups.
 */
final class GroupCommit {

    /** At most this many writes in one transaction, so that a steady stream of writers still sees commits. */
    static final int MAX_GROUP = 64;
    /** A leader leads at most this many groups in a row before it hands the lead on and returns. */
    static final int MAX_ROUNDS = 4;

    private static final int WAITING = 0;
    /** Promoted: this member leads a group; the gate is held and the connection ready. */
    private static final int LEAD = 1;
    /** Another thread leads; the connection is lent to this member's thread for its statement. */
    private static final int TURN = 2;
    /** The member's thread ran its statement; the leader goes on. */
    private static final int RAN = 3;
    /** Finished: committed or failed. */
    private static final int DONE = 4;

    private final WriteGate gate;
    private final DataSource writer;
    private final Runnable openWriter;
    private final WalCheckpointer checkpointer;
    private final Duration timeout;

    private final ReentrantLock queueLock = new ReentrantLock();
    private final ArrayDeque<Member> queue = new ArrayDeque<>();
    private boolean leading;

    // The transaction's statements, prepared once on the writer's physical connection. Guarded by the gate.
    private Connection preparedOn;
    private PreparedStatement begin;
    private PreparedStatement commit;
    private PreparedStatement rollback;
    private PreparedStatement savepoint;
    private PreparedStatement release;
    private PreparedStatement rollbackTo;
    /** Whether the last group had more than one member. Guarded by the gate. */
    private boolean lastHadCompany;
    /** Groups committed and the writes in them, for the log on close. Guarded by the gate. */
    private long groupCount;
    /** Told how long each group's leader waited for the write lock. */
    private final DatabaseListener events;
    private long writeCount;

    GroupCommit(WriteGate gate, DataSource writer, Runnable openWriter, WalCheckpointer checkpointer,
                Duration timeout, DatabaseListener events) {
        this.events = events;
        this.gate = gate;
        this.writer = writer;
        this.openWriter = openWriter;
        this.checkpointer = checkpointer;
        this.timeout = timeout;
    }

    /** One caller's write, from joining the queue to its result. */
    static final class Member {
        private final Thread thread = Thread.currentThread();
        private final WriteDiscipline.Write<?> work;
        private final long deadline;
        private volatile int state = WAITING;
        private volatile boolean ranOk;
        private Thread leader;
        private Group group;
        private Connection connection;
        private Object result;
        private Throwable error;

        Member(WriteDiscipline.Write<?> work, long deadline) {
            this.work = work;
            this.deadline = deadline;
        }

        /** @return the connection this member's statement runs on, while it has its turn or leads */
        Connection connection() {
            return connection;
        }
    }

    /** The group a leader runs: its members in order, the connection, and whether it is one transaction. */
    private static final class Group {
        final List<Member> members;
        final Connection connection;
        final boolean transaction;
        final List<Member> toCommit = new ArrayList<>();
        SQLException broken;

        Group(List<Member> members, Connection connection, boolean transaction) {
            this.members = members;
            this.connection = connection;
            this.transaction = transaction;
        }
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
        Member me = enter(work);
        if (me.state == LEAD) {
            Group group = me.group;
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
     * {@link Member#connection()}, then calls {@link #leaveTurn}.
     *
     * @return the caller's membership
     * @throws FoundupsDbException BUSY as for any write
     */
    Member enterTurn() {
        Member me = enter(null);
        if (me.state == DONE) {
            // Failed before its turn: its leader could not take the gate, or its group's transaction broke.
            throwUnchecked(me.error);
            throw new DataAccessException(me.error.getMessage(), me.error);
        }
        if (me.state == LEAD && me.group.transaction) {
            if (me.group.broken == null) {
                try {
                    savepoint(me.group);
                } catch (SQLException e) {
                    me.group.broken = e;
                }
            }
            if (me.group.broken != null) {
                // The leader's own statement cannot run; the others still must.
                SQLException broken = me.group.broken;
                try {
                    runRest(me.group);
                } finally {
                    finish(me.group);
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
    void leaveTurn(Member me, boolean ok) {
        if (me.state == LEAD) {
            Group group = me.group;
            try {
                endSavepoint(group, me, ok);
                runRest(group);
            } finally {
                finish(group);
            }
        } else {
            me.ranOk = ok;
            me.state = RAN;
            LockSupport.unpark(me.leader);
            awaitNot(me, RAN);
        }
        if (ok && me.error != null) {
            throwUnchecked(me.error);
            throw new DataAccessException("the write was rolled back: " + me.error.getMessage(), me.error);
        }
    }

    /** Queues a member and waits until it leads a group, has its turn, or is done. */
    private Member enter(WriteDiscipline.Write<?> work) {
        gate.refuseWhileHeld();
        openWriter.run(); // the first time, before the gate: opening parses the schema
        Member me = new Member(work, System.nanoTime() + timeout.toNanos());
        boolean lead;
        queueLock.lock();
        try {
            lead = !leading;
            if (lead) {
                leading = true;
            } else {
                queue.add(me);
            }
        } finally {
            queueLock.unlock();
        }
        if (lead) {
            startGroup(me);
        } else {
            awaitNot(me, WAITING);
            if (me.state == LEAD) {
                startGroup(me);
            }
        }
        return me;
    }

    /**
     * As the leader: takes the gate, then the members queued meanwhile, the connection, and begins the
     * transaction when there are several. Leaves {@code me} in state LEAD with its group, or DONE when it failed.
     */
    private void startGroup(Member me) {
        me.state = LEAD;
        try {
            events.writeWaited(gate.acquire(timeout, me.deadline));
        } catch (RuntimeException | Error e) {
            me.error = e;
            me.state = DONE;
            handOver();
            return;
        }
        List<Member> members = new ArrayList<>();
        members.add(me);
        takeQueued(members);
        Connection connection;
        try {
            connection = writer.getConnection();
        } catch (SQLException | RuntimeException | Error e) {
            for (Member m : members) {
                m.error = e;
            }
            gate.release();
            wake(members, me);
            me.state = DONE;
            return;
        }
        Group group = open(members, connection);
        me.group = group;
        me.connection = connection;
    }

    /**
     * A group on its connection. A write that finds others queued, or follows a group that had several, opens a
     * transaction that the writes queued while it runs can join. A lone writer stays in autocommit.
     */
    private Group open(List<Member> members, Connection connection) {
        Group group = new Group(members, connection, members.size() > 1 || lastHadCompany);
        if (group.transaction) {
            try {
                prepare(connection);
                begin.execute();
            } catch (SQLException e) {
                group.broken = e;
            }
        }
        return group;
    }

    /** Runs one member inside its savepoint (a write: on this thread; a statement: lent to its thread). */
    private void runMember(Group group, Member m) {
        if (group.broken != null) {
            m.error = group.broken;
            return;
        }
        if (group.transaction) {
            try {
                savepoint(group);
            } catch (SQLException e) {
                m.error = e;
                return;
            }
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
            m.state = TURN;
            LockSupport.unpark(m.thread);
            awaitNot(m, TURN);
            ok = m.ranOk;
        }
        endSavepoint(group, m, ok);
    }

    private void savepoint(Group group) throws SQLException {
        if (group.transaction) {
            savepoint.execute();
        }
    }

    /**
     * Keeps a member's work (releases its savepoint) or undoes it. When SQLite has rolled back the whole
     * transaction after a failure (as it does for some errors, such as a full disk), the members before it lost
     * their writes too: they fail, and the rest go on in a new transaction.
     */
    private void endSavepoint(Group group, Member m, boolean ok) {
        if (!group.transaction) {
            if (ok) {
                group.toCommit.add(m);
            }
            return;
        }
        try {
            if (ok) {
                release.execute();
                group.toCommit.add(m);
            } else {
                rollbackTo.execute();
                release.execute();
            }
        } catch (SQLException e) {
            for (Member lost : group.toCommit) {
                lost.error = e;
            }
            group.toCommit.clear();
            if (ok) {
                m.error = e;
            }
            try {
                rollback.execute();
            } catch (SQLException ignored) {
                // already rolled back by SQLite
            }
            try {
                begin.execute();
            } catch (SQLException again) {
                group.broken = again;
            }
        }
    }

    /**
     * As the leader: every member after the leader's own, then the commit. Writes queued while a transaction's
     * members run join it, up to {@link #MAX_GROUP} members: under load that is where most of them come from.
     */
    private void runRest(Group group) {
        runFrom(group, 1);
    }

    private void runFrom(Group group, int first) {
        int next = first;
        do {
            while (next < group.members.size()) {
                runMember(group, group.members.get(next++));
            }
        } while (group.transaction && group.broken == null && takeQueued(group.members));
        if (group.transaction && group.broken == null) {
            try {
                commit.execute();
            } catch (SQLException e) {
                for (Member m : group.toCommit) {
                    m.error = e;
                }
                try {
                    rollback.execute();
                } catch (SQLException ignored) {
                    // nothing left to roll back
                }
            }
        }
    }

    /** @return how many writes ran in how many groups so far; call with the gate held */
    String summary() {
        return writeCount + " single-statement writes in " + groupCount + " groups";
    }

    /** @return whether queued writes were added, up to {@link #MAX_GROUP} members in all */
    private boolean takeQueued(List<Member> members) {
        int before = members.size();
        queueLock.lock();
        try {
            while (members.size() < MAX_GROUP && !queue.isEmpty()) {
                members.add(queue.poll());
            }
        } finally {
            queueLock.unlock();
        }
        return members.size() > before;
    }

    /** As the leader, after the commit: gives the connection and the gate back, then wakes every member. */
    private void finish(Group group) {
        Member leader = group.members.get(0);
        try {
            for (int round = 1; ; round++) {
                endGroup(group, leader);
                // Writes queued meanwhile: lead their group too, while holding the gate, rather than wake one of
                // them to lead (a wake-up on every group's path). A few rounds at most, for the leader's own caller
                // and for transactions waiting for the gate.
                if (round >= MAX_ROUNDS) {
                    break;
                }
                group = continueWith();
                if (group == null) {
                    break;
                }
                runFrom(group, 0);
            }
        } finally {
            try {
                gate.release();
            } finally {
                handOver();
                leader.state = DONE;
            }
        }
    }

    /** After a group's commit: the connection back to its pool, the WAL check, and each member told its result. */
    private void endGroup(Group group, Member leader) {
        try {
            try {
                group.connection.close();
            } catch (SQLException ignored) {
                // a pooled connection's close only hands it back
            }
            lastHadCompany = group.members.size() > 1;
            groupCount++;
            writeCount += group.members.size();
            if (!group.toCommit.isEmpty()) {
                checkpointer.afterCommit();
            }
        } finally {
            for (Member m : group.members) {
                if (m != leader) {
                    m.state = DONE;
                    LockSupport.unpark(m.thread);
                }
            }
        }
    }

    /** @return a group of the writes queued now, begun, with the gate still held; null when none are queued */
    private Group continueWith() {
        List<Member> members = new ArrayList<>();
        if (!takeQueued(members)) {
            return null;
        }
        Connection connection;
        try {
            connection = writer.getConnection();
        } catch (SQLException | RuntimeException | Error e) {
            for (Member m : members) {
                m.error = e;
                m.state = DONE;
                LockSupport.unpark(m.thread);
            }
            return null;
        }
        return open(members, connection);
    }

    /** Marks the members done and wakes them; hands the lead to the next queued write first. */
    private void wake(List<Member> members, Member leader) {
        handOver();
        for (Member m : members) {
            if (m != leader) {
                m.state = DONE;
                LockSupport.unpark(m.thread);
            }
        }
    }

    private void handOver() {
        Member next;
        queueLock.lock();
        try {
            next = queue.poll();
            if (next == null) {
                leading = false;
                return;
            }
        } finally {
            queueLock.unlock();
        }
        next.state = LEAD;
        LockSupport.unpark(next.thread);
    }

    /** Parks until the member's state moves on; interrupts are kept for the caller, not acted on. */
    private static void awaitNot(Member m, int state) {
        boolean interrupted = false;
        while (m.state == state) {
            LockSupport.park(m);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void prepare(Connection connection) throws SQLException {
        Connection physical = connection.unwrap(Connection.class);
        if (physical == preparedOn) {
            return;
        }
        begin = physical.prepareStatement("BEGIN IMMEDIATE");
        commit = physical.prepareStatement("COMMIT");
        rollback = physical.prepareStatement("ROLLBACK");
        savepoint = physical.prepareStatement("SAVEPOINT foundups_member");
        release = physical.prepareStatement("RELEASE foundups_member");
        rollbackTo = physical.prepareStatement("ROLLBACK TO foundups_member");
        preparedOn = physical;
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
