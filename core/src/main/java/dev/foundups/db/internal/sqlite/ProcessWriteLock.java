package dev.foundups.db.internal.sqlite;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The write lock between processes: an OS file lock on {@code <database>.write-lock}, beside the database.
 *
 * <p>Without it, processes meet only in SQLite's busy handler, which polls the file lock with sleeps of up to 100 ms
 * (whole seconds where the library was built without usleep): while one process writes steadily, another's
 * writer can wait until its busy timeout runs out. A blocked OS lock request is instead woken by the kernel the
 * moment the holder lets go. The operating system drops the lock of a process that dies, so a crash leaves nothing
 * to clean up. Programs that do not use FoundUps DB still meet it in SQLite's busy handler.
 *
 * <p>A lone process skips it. Locking and unlocking costs two system calls and their bookkeeping per write, a
 * noticeable share of a small SQLite commit, and buys nothing while no other process writes. So the file also
 * keeps a count of the FoundUps DB processes that write to the database, in a shared memory mapping that costs a
 * memory read to consult. A process registers on its first write, under the write lock: when no other process
 * holds the shared presence lock every registered process keeps, it is alone, and the count starts again at one
 * (a process that died without unregistering is forgotten there); otherwise the count goes up. While the count is
 * one, writes skip the OS lock. A newcomer raises it before its first write, so the lone process takes the lock
 * again from its next write on; the one write that may still be under way meets the newcomer's inside SQLite,
 * whose own locking keeps them apart (the busy timeout), exactly as without this lock. The count only goes down
 * when a process exits normally, so a process that died leaves the others on the locking path (safe) until one
 * opens alone.
 *
 * <p>Layout: bytes 0-3 the count; byte 8 the write lock; byte 16 the presence lock. Not thread-safe: only the
 * holder of the in-JVM lock of {@link WriteGate} calls it. The file stays in place for good; deleting it while
 * another process holds its lock would let a third one in.
 */
final class ProcessWriteLock {

    private static final int COUNT_AT = 0;
    private static final long WRITE_AT = 8;
    private static final long PRESENCE_AT = 16;
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class,
            ByteOrder.nativeOrder());

    /** Interrupts lock requests that have waited too long; one daemon thread for the whole JVM. */
    private static final ScheduledExecutorService ALARMS = alarms();

    private final Path file;
    private FileChannel channel;
    private FileLock held;
    private FileLock presence;
    private MappedByteBuffer shared;
    private boolean skipped;
    private boolean registered;
    private boolean unregisterOnExit;

    ProcessWriteLock(Path database) {
        this.file = database.resolveSibling(database.getFileName() + ".write-lock");
    }

    /** @return the lock file */
    Path file() {
        return file;
    }

    /**
     * Takes the lock, waiting at most until the deadline; registers this process on its first call.
     *
     * @param timeoutNanos how long to wait
     * @return false when another process held it for the whole time
     * @throws IOException          when the lock file cannot be opened or locked
     * @throws InterruptedException when the thread was interrupted meanwhile
     */
    boolean acquire(long timeoutNanos) throws IOException, InterruptedException {
        if (presence != null && presence.isValid() && (int) INT.getVolatile(shared, COUNT_AT) == 1) {
            skipped = true;
            return true;
        }
        FileChannel ch = channel();
        FileLock lock = ch.tryLock(WRITE_AT, 1, false);
        if (lock == null) {
            lock = waitFor(ch, timeoutNanos);
            if (lock == null) {
                return false;
            }
        }
        held = lock;
        if (!registered || (presence != null && !presence.isValid())) {
            register(ch);
        }
        return true;
    }

    /** Releases the lock taken by {@link #acquire}. */
    void release() throws IOException {
        if (skipped) {
            skipped = false;
            return;
        }
        FileLock lock = held;
        held = null;
        if (lock != null && lock.isValid()) {
            lock.release();
        }
    }

    /** @return whether the last {@link #acquire} skipped the OS lock, this process being the only one */
    boolean skippedLastTime() {
        return skipped;
    }

    /**
     * Counts this process in, holding the write lock so that two newcomers cannot both find themselves alone. A
     * channel closed by an interrupt loses every lock this JVM had on the file, presence included: then this runs
     * again, and counts the process in once more, which errs on the safe side.
     */
    private void register(FileChannel ch) throws IOException {
        if (shared == null) {
            shared = ch.map(FileChannel.MapMode.READ_WRITE, COUNT_AT, 8);
        }
        FileLock alone;
        try {
            alone = ch.tryLock(PRESENCE_AT, 1, false);
        } catch (OverlappingFileLockException e) {
            alone = null; // this JVM already holds presence through another lock object: not alone, to be safe
        }
        if (alone != null) {
            alone.release();
            INT.setVolatile(shared, COUNT_AT, 1);
        } else {
            INT.getAndAdd(shared, COUNT_AT, 1);
        }
        try {
            presence = ch.tryLock(PRESENCE_AT, 1, true);
        } catch (OverlappingFileLockException e) {
            presence = null;
        }
        registered = true;
        if (presence != null && !unregisterOnExit) {
            unregisterOnExit = true;
            MappedByteBuffer counter = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> INT.getAndAdd(counter, COUNT_AT, -1),
                    "foundups-db-unregister"));
        }
    }

    /**
     * A blocking lock request, cut short by an interrupt at the deadline. An interrupt closes the channel (the
     * only one this JVM has on the file, so no other lock goes with it); the next request opens it again.
     */
    private FileLock waitFor(FileChannel ch, long timeoutNanos) throws IOException, InterruptedException {
        Alarm alarm = new Alarm(Thread.currentThread());
        ScheduledFuture<?> scheduled = ALARMS.schedule(alarm, timeoutNanos, TimeUnit.NANOSECONDS);
        try {
            return ch.lock(WRITE_AT, 1, false);
        } catch (ClosedByInterruptException e) {
            channel = null;
            if (alarm.disarm()) {
                Thread.interrupted(); // ours, not the caller's: clear it
                return null;
            }
            throw new InterruptedException("interrupted while waiting for " + file);
        } finally {
            scheduled.cancel(false);
            if (alarm.disarm()) {
                Thread.interrupted(); // it went off just after the lock was granted
            }
        }
    }

    private FileChannel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }
        return channel;
    }

    /** Interrupts its thread once, unless disarmed first; says afterwards whether it went off. */
    private static final class Alarm implements Runnable {
        private final Thread thread;
        private boolean armed = true;
        private boolean fired;

        Alarm(Thread thread) {
            this.thread = thread;
        }

        @Override
        public synchronized void run() {
            if (armed) {
                armed = false;
                fired = true;
                thread.interrupt();
            }
        }

        /** @return whether it went off; it never will after this call */
        synchronized boolean disarm() {
            armed = false;
            boolean wasFired = fired;
            fired = false;
            return wasFired;
        }
    }

    private static ScheduledExecutorService alarms() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "foundups-db-write-lock-timeouts");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
