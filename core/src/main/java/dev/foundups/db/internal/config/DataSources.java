package dev.foundups.db.internal.config;

import java.time.Duration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool.PoolInitializationException;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/**
 * Builds the connection pool for a database URL.
 *
 * <p>On SQLite every pooled connection gets the protocol's PRAGMAs (WAL, {@code synchronous=NORMAL}) and also
 * {@code foreign_keys=ON} and a busy timeout: sqlite-jdbc applies them each time it opens a connection, because
 * all but {@code journal_mode} are per-connection settings. Transactions begin IMMEDIATE, so a transaction that
 * reads and then writes takes the write lock up front instead of failing with SQLITE_BUSY half-way.
 */
public final class DataSources {

    private DataSources() {
    }

    /**
     * Opens a pool and checks that it can connect.
     *
     * @param url         the database
     * @param maxPoolSize most connections at once
     * @param busyTimeout how long a SQLite connection waits for another process's lock
     * @param walSizeLimit SQLite: the size the WAL file is cut back to after a checkpoint ({@code journal_size_limit})
     * @return an open pool; the caller closes it
     * @throws FoundupsDbException (DB_CONNECTION) naming the masked URL when no connection can be made
     */
    public static HikariDataSource open(DatabaseUrl url, int maxPoolSize, Duration busyTimeout, long walSizeLimit) {
        return open(url, maxPoolSize, "", busyTimeout, walSizeLimit);
    }

    /**
     * Opens the one-connection pool of a SQLite database's writer: writes are serialised in the JVM anyway, and a
     * connection of their own means the writer never queues behind readers for one.
     *
     * <p>The pool starts empty and opens its connection on first use, then keeps it until closed (no idle or life
     * time limit: a SQLite connection is a file handle, and each new one parses the whole schema again, which takes
     * seconds at thousands of namespaces). A process that only reads never opens it.
     *
     * @param url          the SQLite database
     * @param busyTimeout  how long the connection waits for another process's lock
     * @param walSizeLimit the size the WAL file is cut back to after a checkpoint
     * @return a pool, not yet connected; the caller closes it
     * @throws FoundupsDbException (DB_CONNECTION) when the pool cannot be set up
     */
    public static HikariDataSource openSqliteWriter(DatabaseUrl url, Duration busyTimeout, long walSizeLimit) {
        return open(url, 1, "-writer", busyTimeout, walSizeLimit);
    }

    private static HikariDataSource open(DatabaseUrl url, int maxPoolSize, String poolRole, Duration busyTimeout,
                                         long walSizeLimit) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url.jdbcUrl());
        config.setMaximumPoolSize(maxPoolSize);
        config.setMinimumIdle(1);
        config.setPoolName("foundups-db-" + url.dialect().name().toLowerCase() + poolRole);
        if (!poolRole.isEmpty()) {
            // The SQLite writer: connect on first use, then keep the connection (see openSqliteWriter).
            config.setInitializationFailTimeout(-1);
            config.setMinimumIdle(0);
            config.setIdleTimeout(0);
            config.setMaxLifetime(0);
        }
        url.user().ifPresent(config::setUsername);
        url.password().ifPresent(config::setPassword);
        url.strategy().configurePool(config, url, busyTimeout, walSizeLimit);
        try {
            HikariDataSource pool = new HikariDataSource(config);
            url.strategy().poolStarted(pool);
            return pool;
        } catch (PoolInitializationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot connect to " + url + ": "
                    + DatabaseUrl.mask(String.valueOf(cause.getMessage())), cause);
        } catch (RuntimeException e) {
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot open a connection pool for " + url + ": "
                    + DatabaseUrl.mask(String.valueOf(e.getMessage())), e);
        }
    }
}
