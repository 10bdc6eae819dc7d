package dev.foundups.db.internal.migration;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * Serialises schema changes across threads and processes, and is released by the operating system or the server
 * when its holder dies: Liquibase's own DATABASECHANGELOGLOCK row is never expired, so a crash would block every
 * later start.
 *
 * <p>On PostgreSQL it is a session advisory lock on a dedicated connection; on SQLite an OS file lock on
 * {@code <database>.migrate-lock} next to the database file, plus an in-JVM lock because file locks are held per
 * process.
 */
public final class MigrationLock implements AutoCloseable {

    /** Advisory lock key: the first 8 bytes of "foundups" as a number, fixed forever. */
    static final long ADVISORY_KEY = 0x666f756e64757073L;

    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    private final AutoCloseable release;

    private MigrationLock(AutoCloseable release) {
        this.release = release;
    }

    /**
     * Waits for and takes the lock.
     *
     * @param url        the database, to choose the mechanism and the lock file
     * @param dataSource the pool, for PostgreSQL's lock connection
     * @return the held lock; close it to release
     * @throws FoundupsDbException (MIGRATION) when the lock cannot be taken
     */
    public static MigrationLock acquire(DatabaseUrl url, DataSource dataSource) {
        return url.strategy().migrationLock(url, dataSource);
    }

    /**
     * @param database the SQLite file
     * @return the lock on {@code <database>.migrate-lock}, held by this thread and process
     */
    public static MigrationLock fileLock(Path database) {
        Path lockFile = database.resolveSibling(database.getFileName() + ".migrate-lock");
        ReentrantLock jvmLock = JVM_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
        jvmLock.lock();
        try {
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.lock();
            return new MigrationLock(() -> {
                try (channel) {
                    fileLock.release();
                } finally {
                    jvmLock.unlock();
                }
            });
        } catch (IOException | RuntimeException e) {
            jvmLock.unlock();
            throw new FoundupsDbException(ErrorCode.MIGRATION, "cannot lock " + lockFile + " for a schema change: "
                    + e.getMessage(), e);
        }
    }

    /**
     * @param dataSource the PostgreSQL pool; one of its connections holds the lock
     * @return the session advisory lock
     */
    public static MigrationLock advisory(DataSource dataSource) {
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            connection.setAutoCommit(true);
            try (PreparedStatement st = connection.prepareStatement("SELECT pg_advisory_lock(?)")) {
                st.setLong(1, ADVISORY_KEY);
                st.execute();
            }
            Connection held = connection;
            return new MigrationLock(() -> {
                try (held; PreparedStatement st = held.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    st.setLong(1, ADVISORY_KEY);
                    st.execute();
                }
            });
        } catch (SQLException e) {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new FoundupsDbException(ErrorCode.MIGRATION, "cannot take the schema-change advisory lock: "
                    + e.getMessage(), e);
        }
    }

    /** Releases the lock. */
    @Override
    public void close() {
        try {
            release.close();
        } catch (Exception e) {
            throw new FoundupsDbException(ErrorCode.MIGRATION, "cannot release the schema-change lock: "
                    + e.getMessage(), e);
        }
    }
}
