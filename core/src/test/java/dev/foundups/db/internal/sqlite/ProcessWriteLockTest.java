package dev.foundups.db.internal.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.foundups.db.testing.ChildJvm;

/** SQLite only: a lone process writes without the OS lock, and takes it again as soon as another one registers. */
class ProcessWriteLockTest {

    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path dir;

    /** A child process: registers on the database's lock, holds nothing, and stays until killed. */
    public static final class OtherProcess {
        public static void main(String[] args) throws Exception {
            ProcessWriteLock lock = new ProcessWriteLock(Path.of(args[0]));
            lock.acquire(TIMEOUT);
            lock.release();
            System.out.println("registered");
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private static int count(Path database) throws Exception {
        try (FileChannel ch = FileChannel.open(database.resolveSibling(database.getFileName() + ".write-lock"),
                StandardOpenOption.READ)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, 4);
            return map.order(ByteOrder.nativeOrder()).getInt(0);
        }
    }

    private static void setCount(Path database, int count) throws Exception {
        try (FileChannel ch = FileChannel.open(database.resolveSibling(database.getFileName() + ".write-lock"),
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8);
            map.order(ByteOrder.nativeOrder()).putInt(0, count);
            map.force();
        }
    }

    @Test
    void aLoneProcessSkipsTheOsLockAfterRegistering() throws Exception {
        Path db = dir.resolve("alone.db");
        setCount(db, 7); // left by processes that died without unregistering
        ProcessWriteLock lock = new ProcessWriteLock(db);

        assertTrue(lock.acquire(TIMEOUT));
        assertFalse(lock.skippedLastTime(), "the first write registers under the OS lock");
        lock.release();
        assertEquals(1, count(db), "alone: the stale count starts again at one");

        assertTrue(lock.acquire(TIMEOUT));
        assertTrue(lock.skippedLastTime(), "alone: no OS lock");
        lock.release();

        setCount(db, 2); // another process counted itself in
        assertTrue(lock.acquire(TIMEOUT));
        assertFalse(lock.skippedLastTime(), "with another process counted, the OS lock is taken");
        lock.release();
    }

    @Test
    void anotherProcessMakesBothTakeTheLockAndItsDeathLeavesThemSafe() throws Exception {
        Path db = dir.resolve("two.db");
        ProcessWriteLock lock = new ProcessWriteLock(db);
        lock.acquire(TIMEOUT);
        lock.release();
        lock.acquire(TIMEOUT);
        assertTrue(lock.skippedLastTime());
        lock.release();

        try (ChildJvm child = ChildJvm.start(OtherProcess.class, List.of(db.toString()))) {
            child.awaitLine("registered"::equals, Duration.ofSeconds(60));
            assertEquals(2, count(db), "the child counted itself in");
            lock.acquire(TIMEOUT);
            assertFalse(lock.skippedLastTime(), "another process is there: the OS lock is taken");
            lock.release();

            // The child dies without unregistering: the count stays, and this process keeps taking the lock.
            child.kill();
            child.waitFor(Duration.ofSeconds(30));
        }
        assertEquals(2, count(db));
        lock.acquire(TIMEOUT);
        assertFalse(lock.skippedLastTime(), "after a crash the locking path stays, which is safe");
        lock.release();
    }
}
