package dev.foundups.db.internal.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

import javax.sql.DataSource;

import org.jooq.Configuration;
import org.jooq.ExecuteListenerProvider;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultExecuteListenerProvider;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.DatabaseListener;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.internal.config.DataSources;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * How a SQLite database is written: one writer at a time per JVM ({@link WriteGate}) on a connection of its own,
 * single-statement writes of concurrent threads committed together ({@link GroupCommit}), IMMEDIATE transactions
 * (set on the pools), the busy timeout between processes, a WAL kept under a size limit, and a TRUNCATE checkpoint
 * on close.
 *
 * <p>Readers use the database's main pool and never wait for the writer: WAL lets them read while it writes, and
 * the writer does not take their connections. Write statements and transactions wait for the gate, then use the
 * writer's one-connection pool, so the writer never queues behind readers either.
 *
 * <p>All of it is installed into the jOOQ configuration that every context of the database derives from (the
 * shared one, each namespace's, each transaction's), so module code and users' own queries follow it without
 * knowing. Plain JDBC on a borrowed connection bypasses it and relies on the busy timeout alone.
 */
public final class WriteDiscipline {

    /** Configuration data key under which the discipline is found from any context of its database. */
    private static final String KEY = WriteDiscipline.class.getName();

    private final SingleWriter writer;
    private final GroupCommit groups;
    private final DatabaseListener events;

    private WriteDiscipline(Path database, HikariDataSource writerPool, DataSource readers, Duration busyTimeout,
                            long walLimitBytes, DatabaseListener events) {
        this.events = events;
        // Checkpoints borrow a reader connection: the writer's one connection may still be held when they run.
        WalCheckpointer checkpointer = new WalCheckpointer(database, walLimitBytes, readers, events);
        this.writer = new SingleWriter(database, writerPool, checkpointer, busyTimeout);
        this.groups = new GroupCommit(writer, events);
    }

    /**
     * Opens the writer's connection and installs the discipline into a configuration whose connection provider is
     * the readers' pool: a listener for single statements (those the configuration already has are kept, and run
     * first) and the transaction provider.
     *
     * @param configuration the database's base jOOQ configuration
     * @param url           the SQLite database
     * @param readers       the database's main pool
     * @param busyTimeout   how long a write waits for the writer before it: the budget SQLite's busy timeout gives
     *                      to other processes' writers
     * @param walLimitBytes the WAL size past which a commit forces a checkpoint
     * @return the installed discipline; {@link #close()} it before closing the main pool
     * @throws FoundupsDbException DB_CONNECTION when the writer's connection cannot be opened
     */
    public static WriteDiscipline install(DefaultConfiguration configuration, DatabaseUrl url, DataSource readers,
                                          Duration busyTimeout, long walLimitBytes) {
        Path database = url.sqlitePath().orElseThrow();
        HikariDataSource writerPool = DataSources.openSqliteWriter(url, busyTimeout, walLimitBytes);
        WriteDiscipline discipline = new WriteDiscipline(database, writerPool, readers, busyTimeout, walLimitBytes,
                DatabaseListener.of(configuration));
        // Every transaction is a writer on SQLite (IMMEDIATE): it waits for the gate, then begins on the writer's
        // connection.
        configuration.set(new GatedTransactions(discipline.writer));
        ExecuteListenerProvider[] executes = configuration.executeListenerProviders();
        ExecuteListenerProvider[] moreExecutes = Arrays.copyOf(executes, executes.length + 1);
        moreExecutes[executes.length] = new DefaultExecuteListenerProvider(
                new GatedWrites(discipline.writer, discipline.groups));
        configuration.set(moreExecutes);
        configuration.data(KEY, discipline);
        return discipline;
    }

    /**
     * @param configuration a context's configuration
     * @return the discipline installed into it or into the configuration it derives from; empty when it is not
     *         a SQLite database's
     */
    public static Optional<WriteDiscipline> of(Configuration configuration) {
        return Optional.ofNullable((WriteDiscipline) configuration.data(KEY));
    }

    /**
     * @param query a statement
     * @return whether it joins a group commit with other threads' writes (an insert, update or delete, with or
     *         without RETURNING); anything else writes alone
     */
    public static boolean joinsGroups(org.jooq.Query query) {
        return GatedWrites.joinsGroups(query);
    }

    /** One write on the writer's connection. */
    @FunctionalInterface
    public interface Write<T> {
        /**
         * @param writer the writer's connection, in autocommit mode; do not close it
         * @return the result
         * @throws SQLException when the statement fails
         */
        T run(Connection writer) throws SQLException;
    }

    /**
     * Runs one write the way an insert, update or delete on a context runs: on the writer's connection, in a group
     * commit with the writes other threads start meanwhile (see {@link GroupCommit}), returning once it is committed.
     * For statements executed on JDBC directly (compiled statements), which jOOQ's listener does not see.
     *
     * @param write the write: one statement that neither begins nor ends a transaction
     * @param <T>   its result's type
     * @return what the write returned
     * @throws SQLException        when it fails, or its group's commit fails
     * @throws FoundupsDbException BUSY as for any write: another writer held the lock for the whole busy timeout,
     *                             or this thread is inside a write transaction
     */
    public <T> T write(Write<T> write) throws SQLException {
        return groups.write(write);
    }

    /**
     * Runs one autocommitted write alone, after the gate, on the writer's connection, with the WAL check after it
     * commits: for a compiled statement that is not an insert, update or delete, which must not join a group.
     *
     * @param write the write
     * @param <T>   its result's type
     * @return what the write returned
     * @throws SQLException        when it fails
     * @throws FoundupsDbException BUSY as {@link #write}
     */
    public <T> T writeAlone(Write<T> write) throws SQLException {
        events.writeWaited(writer.take());
        boolean committed = false;
        try {
            T result;
            try (Connection connection = writer.connection()) {
                result = write.run(connection);
            }
            committed = true;
            return result;
        } finally {
            writer.give(committed);
        }
    }

    /**
     * @return whether this process has opened the writer's connection, that is, has written to the database
     */
    public boolean writerOpen() {
        return writer.isOpen();
    }

    /**
     * Graceful shutdown, before the main pool closes: waits for the write in progress in this JVM, copies the WAL
     * into the database file and truncates it, and closes the writer's connection. When this was the last
     * connection to the file, closing the main pool then removes {@code -wal} and {@code -shm}; when other
     * processes still use it, the WAL they find is empty.
     */
    public void close() {
        writer.close(groups::summary);
    }
}
