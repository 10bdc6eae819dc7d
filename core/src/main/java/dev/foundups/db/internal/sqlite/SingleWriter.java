package dev.foundups.db.internal.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;

import org.jooq.ConnectionProvider;
import org.jooq.impl.DataSourceConnectionProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/**
 * The one writer of a SQLite file in this process: its connection (a one-connection pool, opened on the first
 * write), the {@link WriteGate} in front of it, and the WAL check after each commit. Every kind of write takes its
 * turn the same way: {@link #take()} (open the connection if need be, then wait for the gate), write, then
 * {@link #give(boolean)} (check the WAL when it committed, then release the gate). Transactions, single statements,
 * compiled statements and group commits differ only in what they run while they hold the turn.
 */
final class SingleWriter {

    /** Under the discipline's name, which log configurations already know. */
    private static final Logger LOG = LoggerFactory.getLogger(WriteDiscipline.class);

    private final Path database;
    private final WriteGate gate;
    private final HikariDataSource pool;
    private final ConnectionProvider provider;
    private final WalCheckpointer checkpointer;
    private final Duration timeout;
    private volatile boolean open;

    /**
     * @param database     the SQLite file, for messages
     * @param pool         the writer's one-connection pool
     * @param checkpointer the WAL check after commits
     * @param timeout      how long a write waits for the gate (the busy timeout)
     */
    SingleWriter(Path database, HikariDataSource pool, WalCheckpointer checkpointer, Duration timeout) {
        this.database = database;
        this.gate = WriteGate.of(database);
        this.pool = pool;
        this.provider = new DataSourceConnectionProvider(pool);
        this.checkpointer = checkpointer;
        this.timeout = timeout;
    }

    /** @return the busy timeout: how long a write waits for its turn */
    Duration timeout() {
        return timeout;
    }

    /** @return the writer's connection as a jOOQ connection provider, for statements that hold the turn */
    ConnectionProvider provider() {
        return provider;
    }

    /**
     * @return the writer's connection, for a caller holding the turn; closing it hands it back to the pool
     * @throws SQLException when it cannot be had
     */
    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /**
     * Opens the writer's connection if need be, then waits for the gate.
     *
     * @return how long it waited for the gate, for {@code DatabaseListener.writeWaited}
     * @throws FoundupsDbException BUSY after the busy timeout, or inside this thread's own write transaction
     */
    Duration take() {
        open();
        return gate.acquire(timeout);
    }

    /**
     * Waits for the gate until a deadline: for a group commit's leader, whose write already waited in its queue.
     * The connection was opened before it queued ({@link #open()}).
     *
     * @param deadline {@link System#nanoTime()} at which to give up
     * @return how long it waited
     * @throws FoundupsDbException BUSY as {@link #take()}
     */
    Duration take(long deadline) {
        return gate.acquire(timeout, deadline);
    }

    /**
     * Ends a turn taken by {@link #take}: checks the WAL when the write committed, then releases the gate.
     *
     * @param committed whether the write committed
     */
    void give(boolean committed) {
        try {
            if (committed) {
                afterCommit();
            }
        } finally {
            gate.release();
        }
    }

    /** The WAL check after a commit, for a group commit that commits several times in one turn. */
    void afterCommit() {
        checkpointer.afterCommit();
    }

    /** Releases the gate without a WAL check: for a turn in which every commit was checked already. */
    void release() {
        gate.release();
    }

    /**
     * @throws FoundupsDbException BUSY when this thread holds the gate: a write outside its own transaction would
     *                             wait for itself
     */
    void refuseWhileHeld() {
        gate.refuseWhileHeld();
    }

    /** @return whether this process has opened the writer's connection, that is, has written to the database */
    boolean isOpen() {
        return open;
    }

    /**
     * Opens the writer's connection on the first write, before that write takes the gate. Opening a SQLite
     * connection parses the whole schema (seconds at thousands of namespaces): a process that only reads never pays
     * it, and a writer never makes the others wait for it while holding the gate.
     *
     * @throws FoundupsDbException DB_CONNECTION when the connection cannot be opened
     */
    void open() {
        if (open) {
            return;
        }
        synchronized (this) {
            if (!open) {
                try {
                    Connection connection = pool.getConnection();
                    connection.close(); // back to the pool, which keeps it (see DataSources.openSqliteWriter)
                    open = true;
                } catch (SQLException e) {
                    throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot open the writer's connection to "
                            + database + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * Waits for the write in progress in this JVM, closes the writer's connection, then copies the WAL into the
     * database file and truncates it. When this was the last connection to the file, closing the main pool then
     * removes {@code -wal} and {@code -shm}; when other processes still use it, the WAL they find is empty.
     *
     * @param whatRan what this writer did, for the debug log; called with the gate held
     */
    void close(Supplier<String> whatRan) {
        if (pool.isClosed()) {
            return;
        }
        try {
            gate.acquire(timeout);
            try {
                LOG.debug("Closing {}: {}", database, whatRan.get());
                pool.close();
                if (!checkpointer.checkpoint(timeout)) {
                    LOG.info("Closing {}: the WAL could not be checkpointed now (other connections were busy); "
                            + "SQLite checkpoints it when the last connection closes", database);
                }
            } finally {
                gate.release();
            }
        } catch (FoundupsDbException e) {
            LOG.warn("Closing {} without a checkpoint: {}", database, e.getMessage());
            pool.close();
        }
    }
}
