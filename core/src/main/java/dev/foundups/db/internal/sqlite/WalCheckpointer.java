package dev.foundups.db.internal.sqlite;

import java.io.File;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.foundups.db.DatabaseListener;

/**
 * Keeps the {@code -wal} file in bounds.
 *
 * <p>SQLite's own automatic checkpoint is PASSIVE: it copies what it can to the database file, and the WAL starts
 * over from its beginning only once every frame was copied and no reader still uses one. Readers that overlap all
 * the time, under steady writes, never leave such a moment, and the WAL grows without limit ("checkpoint
 * starvation"). So once the file passes the limit, the writer that pushed it there runs a TRUNCATE checkpoint:
 * it holds new writers back, waits a short while for the readers still in the WAL, copies everything and
 * truncates the file. New readers are not blocked meanwhile; once the WAL is copied they read the database file.
 *
 * <p>A reader that stays longer than the short wait (a long report, a backup) makes the attempt fail without
 * harm; the next attempts back off, so writers are not held up again and again. All methods run under the
 * {@link WriteGate}, which also guards this object's state.
 */
final class WalCheckpointer {

    private static final Logger LOG = LoggerFactory.getLogger(WalCheckpointer.class);

    /**
     * How long a forced checkpoint waits for readers, and so holds writers back at most: well above an ordinary
     * read, so that only a long one (a report, a backup) makes it give up.
     */
    static final Duration ATTEMPT_WAIT = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final File wal;
    private final long limitBytes;
    private final DataSource pool;
    private final DatabaseListener events;
    /**
     * WAL headroom per commit between size checks: far below the limit the size is looked at every
     * headroom / this many commits (at most {@link #MAX_CHECK_INTERVAL}), close to it after every commit.
     */
    static final long HEADROOM_PER_CHECK = 256 * 1024;
    static final int MAX_CHECK_INTERVAL = 64;

    private long nextAttemptNanos = System.nanoTime();
    private long backoffNanos;
    private int commitsSinceCheck;
    private int checkEvery = 1;

    WalCheckpointer(Path database, long limitBytes, DataSource pool, DatabaseListener events) {
        this.wal = new File(database + "-wal");
        this.limitBytes = limitBytes;
        this.pool = pool;
        this.events = events;
    }

    /** After a committed write, with the gate held: checkpoints when the WAL has grown past the limit. */
    void afterCommit() {
        // A stat() is a system call, a noticeable share of a small commit: looked at less often while the WAL is
        // far below its limit. A commit that adds more than HEADROOM_PER_CHECK can overshoot by what the skipped
        // checks missed.
        if (++commitsSinceCheck < checkEvery) {
            return;
        }
        commitsSinceCheck = 0;
        long size = wal.length();
        checkEvery = (int) Math.max(1, Math.min(MAX_CHECK_INTERVAL, (limitBytes - size) / HEADROOM_PER_CHECK));
        if (size <= limitBytes) {
            return;
        }
        long now = System.nanoTime();
        if (now - nextAttemptNanos < 0) {
            return;
        }
        if (checkpoint(ATTEMPT_WAIT)) {
            backoffNanos = 0;
        } else {
            backoffNanos = Math.min(Math.max(2 * backoffNanos, ATTEMPT_WAIT.toNanos()), MAX_BACKOFF.toNanos());
            nextAttemptNanos = now + backoffNanos;
            LOG.debug("WAL {} is {} bytes, over its {} byte limit, and readers kept it busy; next try in {} ms", wal,
                    wal.length(), limitBytes, backoffNanos / 1_000_000);
        }
    }

    /**
     * Copies the whole WAL into the database file and truncates it to zero bytes.
     *
     * @param wait how long to wait for other processes' writers and for readers still using the WAL
     * @return true when it completed; false when readers or writers kept it from completing, or on an error
     */
    boolean checkpoint(Duration wait) {
        long start = System.nanoTime();
        boolean complete = truncate(wait);
        events.checkpointed(Duration.ofNanos(System.nanoTime() - start), complete);
        return complete;
    }

    private boolean truncate(Duration wait) {
        try (Connection connection = pool.getConnection(); Statement st = connection.createStatement()) {
            int saved = pragmaInt(st, "PRAGMA busy_timeout");
            // PRAGMA arguments cannot be bound; these are integers of ours, never input.
            st.execute("PRAGMA busy_timeout = " + wait.toMillis());
            try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                // One row: busy (1 when it could not complete), WAL frames, frames copied.
                return rs.next() && rs.getInt(1) == 0;
            } finally {
                st.execute("PRAGMA busy_timeout = " + saved);
            }
        } catch (SQLException e) {
            LOG.warn("Checkpoint of {} failed; the WAL will be checkpointed later: {}", wal, e.getMessage());
            return false;
        }
    }

    private static int pragmaInt(Statement st, String pragma) throws SQLException {
        try (ResultSet rs = st.executeQuery(pragma)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
