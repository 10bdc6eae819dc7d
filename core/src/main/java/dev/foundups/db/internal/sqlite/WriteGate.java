package dev.foundups.db.internal.sqlite;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/**
 * The write lock of a SQLite file: a fair lock shared by every {@code FoundupsDb} of this JVM on that file, then
 * the {@link ProcessWriteLock} shared with other processes.
 *
 * <p>SQLite admits one writer at a time, and a writer that finds the file locked polls it with growing sleeps
 * (its busy handler), so many threads racing for the lock waste time and the unlucky ones time out with
 * SQLITE_BUSY. Queuing them here instead, in order and before they take a connection, means a writer finds
 * SQLite's lock free, except when a program that does not use FoundUps DB is writing (the busy timeout covers
 * that).
 */
final class WriteGate {

    private static final Map<Path, WriteGate> GATES = new ConcurrentHashMap<>();

    private final Path database;
    private final OwnedLock lock = new OwnedLock();
    private final ProcessWriteLock processLock;

    private WriteGate(Path database) {
        this.database = database;
        this.processLock = new ProcessWriteLock(database);
    }

    /**
     * @param database the SQLite file's absolute, normalised path
     * @return the gate of that file; the same object for every caller in this JVM
     */
    static WriteGate of(Path database) {
        return GATES.computeIfAbsent(database, WriteGate::new);
    }

    /**
     * Waits for the write lock.
     *
     * @param timeout how long to wait before giving up
     * @return how long it waited
     * @throws FoundupsDbException BUSY when another writer held the lock for the whole timeout, or when this thread
     *                             already holds it (a write on the database's own context inside a transaction
     *                             would otherwise wait for itself); DB_CONNECTION when the lock file fails
     */
    Duration acquire(Duration timeout) {
        return acquire(timeout, System.nanoTime() + timeout.toNanos());
    }

    /**
     * Waits for the write lock until a deadline: for a write that already waited in the queue of a group commit.
     *
     * @param timeout  the busy timeout, for the message
     * @param deadline {@link System#nanoTime()} at which to give up
     * @throws FoundupsDbException as {@link #acquire(Duration)}
     */
    Duration acquire(Duration timeout, long deadline) {
        refuseWhileHeld();
        long start = System.nanoTime();
        try {
            if (!lock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                Thread owner = lock.owner();
                throw busy(timeout, owner == null ? "another thread" : "thread '" + owner.getName() + "'");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FoundupsDbException(ErrorCode.BUSY, "interrupted while waiting to write to " + database, e);
        }
        try {
            if (!processLock.acquire(deadline - System.nanoTime())) {
                throw busy(timeout, "another process");
            }
            return Duration.ofNanos(System.nanoTime() - start);
        } catch (InterruptedException e) {
            lock.unlock();
            Thread.currentThread().interrupt();
            throw new FoundupsDbException(ErrorCode.BUSY, "interrupted while waiting to write to " + database, e);
        } catch (IOException e) {
            lock.unlock();
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot lock " + processLock.file() + " to write "
                    + "to " + database + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            lock.unlock();
            throw e;
        }
    }

    /**
     * @throws FoundupsDbException BUSY when this thread holds the lock: a write on the database's own context inside
     *                             a transaction would otherwise wait for itself
     */
    void refuseWhileHeld() {
        if (lock.isHeldByCurrentThread()) {
            throw new FoundupsDbException(ErrorCode.BUSY, "this thread is inside a write transaction on " + database
                    + " and started another write outside it, which would wait for the transaction's own lock. Inside "
                    + "dsl.transaction(tx -> ...) run every statement on tx.dsl(), not on the database's or a "
                    + "module's context");
        }
    }

    private FoundupsDbException busy(Duration timeout, String holder) {
        return new FoundupsDbException(ErrorCode.BUSY, "waited " + timeout.toMillis() + " ms (busyTimeout) to write "
                + "to " + database + " while " + holder + " held its write lock. Keep write transactions shorter than "
                + "busyTimeout, or raise FoundupsDb.configure().busyTimeout(...)");
    }

    /** Releases the lock taken by {@link #acquire}. */
    void release() {
        try {
            processLock.release();
        } catch (IOException e) {
            // The lock file's channel is broken; closing it (next acquire reopens it) drops the lock anyway.
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot release the lock on "
                    + processLock.file() + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** @return whether the calling thread holds the lock */
    boolean heldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** Fair, so a steady stream of writers cannot starve one of them; exposes the owner for error messages. */
    private static final class OwnedLock extends ReentrantLock {
        private static final long serialVersionUID = 1L;

        OwnedLock() {
            super(true);
        }

        Thread owner() {
            return getOwner();
        }
    }
}
