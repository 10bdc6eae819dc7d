package dev.foundups.db.sqlite;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
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
 * <p>Not thread-safe: only the holder of the in-JVM lock of {@link WriteGate} calls it. The file stays in place
 * for good; deleting it while another process holds its lock would let a third one in.
 */
final class ProcessWriteLock {

    /** Interrupts lock requests that have waited too long; one daemon thread for the whole JVM. */
    private static final ScheduledExecutorService ALARMS = alarms();

    private final Path file;
    private FileChannel channel;
    private FileLock held;

    ProcessWriteLock(Path database) {
        this.file = database.resolveSibling(database.getFileName() + ".write-lock");
    }

    /** @return the lock file */
    Path file() {
        return file;
    }

    /**
     * Takes the lock, waiting at most until the deadline.
     *
     * @param timeoutNanos how long to wait
     * @return false when another process held it for the whole time
     * @throws IOException          when the lock file cannot be opened or locked
     * @throws InterruptedException when the thread was interrupted meanwhile
     */
    boolean acquire(long timeoutNanos) throws IOException, InterruptedException {
        FileChannel ch = channel();
        FileLock lock = ch.tryLock();
        if (lock == null) {
            lock = waitFor(ch, timeoutNanos);
            if (lock == null) {
                return false;
            }
        }
        held = lock;
        return true;
    }

    /** Releases the lock taken by {@link #acquire}. */
    void release() throws IOException {
        FileLock lock = held;
        held = null;
        if (lock != null && lock.isValid()) {
            lock.release();
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
            return ch.lock();
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
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
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
