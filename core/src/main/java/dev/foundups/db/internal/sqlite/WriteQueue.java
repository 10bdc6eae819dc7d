package dev.foundups.db.internal.sqlite;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writes waiting for a {@link GroupCommit}, and who leads. A write that finds no group running leads one; the
 * others queue until a leader takes them into its group or hands the lead on to the first of them. The lock guards
 * only the queue and the leading flag, never a statement: it is held for a few instructions.
 */
final class WriteQueue {

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<GroupMember> queue = new ArrayDeque<>();
    /** Whether a leader is running groups; the lead passes from leader to queued write without being dropped. */
    private boolean leading;

    /**
     * @param me a write that wants to run
     * @return true when it leads now (no group was running); false when it was queued
     */
    boolean leadOrQueue(GroupMember me) {
        lock.lock();
        try {
            if (leading) {
                queue.add(me);
                return false;
            }
            leading = true;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes queued writes into a group, in their order.
     *
     * @param members the group's members so far
     * @param max     the most members the group may have
     * @return whether any were added
     */
    boolean takeInto(List<GroupMember> members, int max) {
        int before = members.size();
        lock.lock();
        try {
            while (members.size() < max && !queue.isEmpty()) {
                members.add(queue.poll());
            }
        } finally {
            lock.unlock();
        }
        return members.size() > before;
    }

    /** Hands the lead to the first queued write, or, when none waits, records that no group runs. */
    void handOver() {
        GroupMember next;
        lock.lock();
        try {
            next = queue.poll();
            if (next == null) {
                leading = false;
                return;
            }
        } finally {
            lock.unlock();
        }
        next.moveTo(GroupMember.LEAD);
    }
}
