package dev.foundups.db.internal.sharding;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's copy of the placements it has used, kept current by {@code LISTEN foundupsdb_placements} on a
 * connection of its own to the directory (a daemon thread): a notification drops the entry it names.
 *
 * <p>The cache is only trusted while that connection listens. Until it listens, and from the moment it fails until
 * it listens again, nothing is kept and every look-up reads the directory: a missed notification can never leave a
 * stale entry. An entry read from the directory is kept only if no notification arrived while it was read (the
 * {@link #stamp()} check), so a notification that overtakes a slow read is not lost either.
 *
 * <p>PLACING entries are never kept: whoever finds one completes it.
 */
final class PlacementCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PlacementCache.class);
    /** How long one wait for notifications lasts; also how soon the thread sees {@link #close()}. */
    private static final int POLL_MILLIS = 500;
    /** How often an idle listening connection is checked with a query (a dead peer may never say so). */
    private static final long CHECK_NANOS = 5_000_000_000L;

    /** Opens a plain connection to the directory's database. */
    @FunctionalInterface
    interface Connector {
        Connection open() throws SQLException;
    }

    private final Map<String, Placement> entries = new ConcurrentHashMap<>();
    private final AtomicLong invalidations = new AtomicLong();
    private final Connector connector;
    private final Thread thread;
    private volatile boolean listening;
    private volatile boolean closed;

    PlacementCache(Connector connector) {
        this.connector = connector;
        this.thread = new Thread(this::listen, "foundups-db-placements");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return the kept placement of a key, or null */
    Placement get(String key) {
        return entries.get(key);
    }

    /** @return a stamp to take before reading the directory and hand to {@link #remember} */
    long stamp() {
        return invalidations.get();
    }

    /**
     * Keeps a placement read from the directory, unless a notification arrived since {@code stamp} or nothing
     * listens.
     */
    void remember(Placement placement, long stamp) {
        if (!listening || placement.state() == Placement.State.PLACING || invalidations.get() != stamp) {
            return;
        }
        entries.put(placement.key(), placement);
        if (invalidations.get() != stamp) {
            entries.remove(placement.key(), placement); // a notification came in between: it may be about this
        }
    }

    /** Drops one entry. */
    void invalidate(String key) {
        invalidations.incrementAndGet();
        entries.remove(key);
    }

    /** Drops every entry. */
    void clear() {
        invalidations.incrementAndGet();
        entries.clear();
    }

    /** @return whether notifications are being received, so kept entries are current */
    boolean listening() {
        return listening;
    }

    private void listen() {
        long backoff = 100;
        while (!closed) {
            try (Connection c = connector.open(); Statement statement = c.createStatement()) {
                c.setAutoCommit(true);
                statement.execute("LISTEN " + Directory.CHANNEL);
                clear(); // what was read before listening may have missed a notification
                listening = true;
                backoff = 100;
                PGConnection pg = c.unwrap(PGConnection.class);
                long checked = System.nanoTime();
                while (!closed) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            invalidate(n.getParameter());
                        }
                    }
                    if (System.nanoTime() - checked > CHECK_NANOS) {
                        statement.execute("SELECT 1");
                        checked = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    LOG.debug("Placement notifications interrupted; reading the directory until they resume", e);
                }
            } finally {
                listening = false;
                clear();
            }
            if (!closed) {
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    return;
                }
                backoff = Math.min(5_000, backoff * 2);
            }
        }
    }

    /** Stops listening: the thread closes its connection and ends within one poll. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
