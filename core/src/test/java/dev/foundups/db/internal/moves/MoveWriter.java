package dev.foundups.db.internal.moves;

import static dev.foundups.db.jooq.Tables.FOUNDUP_CONTENT;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/**
 * A writer that inserts FoundUp content rows one statement at a time while a move runs, and on SQLState 42P01
 * (the source's tables fenced) waits for the flip and writes the same row to the target: a stand-in for the
 * routing layer. Keeps each acknowledged id and when it was acknowledged.
 */
final class MoveWriter implements AutoCloseable {

    private final DSLContext source;
    private final Supplier<DSLContext> target;
    private final CountDownLatch flipped;
    private final List<Long> acknowledged = new ArrayList<>();
    private final List<Long> times = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile int firstOnTarget = -1;

    MoveWriter(DSLContext source, Supplier<DSLContext> target, CountDownLatch flipped) {
        this.source = source;
        this.target = target;
        this.flipped = flipped;
        this.thread = new Thread(this::write, "move-writer");
        thread.start();
    }

    private void write() {
        DSLContext dsl = source;
        for (int i = 0; running; i++) {
            try {
                long id = dsl.insertInto(FOUNDUP_CONTENT).set(FOUNDUP_CONTENT.USER_ID, "u")
                        .set(FOUNDUP_CONTENT.CONTENT, "w" + i).returningResult(FOUNDUP_CONTENT.ID).fetchSingle()
                        .value1();
                synchronized (this) {
                    acknowledged.add(id);
                    times.add(System.nanoTime());
                }
            } catch (DataAccessException e) {
                if (!"42P01".equals(e.sqlState()) || dsl != source) {
                    failure = e;
                    return;
                }
                try {
                    if (!flipped.await(60, TimeUnit.SECONDS)) {
                        failure = new AssertionError("42P01 on the source, and no flip within 60 s");
                        return;
                    }
                } catch (InterruptedException interrupted) {
                    return;
                }
                dsl = target.get();
                synchronized (this) {
                    firstOnTarget = acknowledged.size();
                }
                i--; // the same row again, on the target
            } catch (RuntimeException | Error e) {
                failure = e;
                return;
            }
        }
    }

    /** Stops writing and checks that no write failed for another reason than the fence. */
    void stop() throws InterruptedException {
        running = false;
        thread.join(30_000);
        assertNull(failure, () -> "the writer failed: " + failure);
    }

    /** @return the ids acknowledged, in order */
    synchronized List<Long> acknowledged() {
        return List.copyOf(acknowledged);
    }

    /** @return how many writes went to the source before the writer moved to the target, or -1 if it never did */
    synchronized int firstOnTarget() {
        return firstOnTarget;
    }

    /** @return the longest time between two acknowledged writes: the pause the writer saw */
    synchronized long pauseMillis() {
        long pause = 0;
        for (int i = 1; i < times.size(); i++) {
            pause = Math.max(pause, times.get(i) - times.get(i - 1));
        }
        return TimeUnit.NANOSECONDS.toMillis(pause);
    }

    /** Asserts that the sequence went on past the source's ids on the target: no id written twice. */
    void assertSequenceContinued() {
        List<Long> ids = acknowledged();
        int first = firstOnTarget();
        assertTrue(first > 0 && first < ids.size(), "the writer wrote on both shards: " + first + " of " + ids.size());
        long lastOnSource = ids.get(first - 1);
        for (Long id : ids.subList(first, ids.size())) {
            assertTrue(id > lastOnSource, "the sequence continues on the target: " + id + " after " + lastOnSource);
        }
    }

    /** @return the acknowledged ids as a PostgreSQL array literal */
    String idArray() {
        StringBuilder s = new StringBuilder("'{");
        List<Long> ids = acknowledged();
        for (int i = 0; i < ids.size(); i++) {
            s.append(i == 0 ? "" : ",").append(ids.get(i));
        }
        return s.append("}'").toString();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
