package dev.foundups.db.internal.routing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;

/**
 * One PostgreSQL server: its read pool (made on first use), the poller's own connection to it, and what the last
 * poll saw. Fields the poller writes are volatile; the read path only reads them.
 */
final class Node {

    /** What the poller asks each server: its role and its WAL position (the primary's insert position). */
    private static final String POLL = "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() "
            + "THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_insert_lsn() END::text";

    final String name;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final int poolSize;
    private final Duration connectTimeout;

    private volatile HikariDataSource pool;
    private Connection pollConnection;

    volatile boolean reachable;
    volatile boolean inRecovery;
    /** Replay position (a replica) or insert position (the primary), as last polled. */
    volatile long walPosition = Lsn.NONE;
    volatile long lagBytes = -1;
    volatile long lagNanos;
    /** Set by a read that failed on it; cleared by the next good poll. */
    volatile boolean failed;
    volatile String lastError;
    volatile boolean polledOnce;
    final LongAdder reads = new LongAdder();

    Node(String name, String jdbcUrl, String user, String password, int poolSize, Duration connectTimeout) {
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.poolSize = poolSize;
        this.connectTimeout = connectTimeout;
    }

    /** @return the read pool, made on first use; it connects lazily and never fails to open */
    HikariDataSource pool() {
        HikariDataSource p = pool;
        if (p != null) {
            return p;
        }
        synchronized (this) {
            if (pool == null) {
                HikariConfig config = new HikariConfig();
                config.setJdbcUrl(jdbcUrl);
                config.setMaximumPoolSize(poolSize);
                config.setMinimumIdle(1);
                config.setPoolName("foundups-db-replica-" + name);
                config.setInitializationFailTimeout(-1);
                config.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
                config.setValidationTimeout(Math.max(250, Math.min(1000, connectTimeout.toMillis())));
                config.setDriverClassName("org.postgresql.Driver");
                config.addDataSourceProperty("ApplicationName", "foundups-db");
                config.addDataSourceProperty("connectTimeout", String.valueOf(seconds(connectTimeout)));
                config.setExceptionOverride(new SqlStates.EvictGone(false));
                if (user != null) {
                    config.setUsername(user);
                }
                if (password != null) {
                    config.setPassword(password);
                }
                config.setReadOnly(true);
                pool = new HikariDataSource(config);
            }
            return pool;
        }
    }

    /** @return the pool if it was ever made */
    HikariDataSource poolIfOpen() {
        return pool;
    }

    /** Drops the pool's connections: after an outage they point at a dead server process. */
    void evictConnections() {
        HikariDataSource p = pool;
        if (p != null) {
            HikariPoolMXBean bean = p.getHikariPoolMXBean();
            if (bean != null) {
                bean.softEvictConnections();
            }
        }
    }

    /**
     * Polls the server, on the poller's thread. Marks it unreachable when it cannot.
     *
     * @return whether it answered
     */
    boolean poll(Duration timeout) {
        try {
            if (pollConnection == null || pollConnection.isClosed()) {
                Properties props = new Properties();
                if (user != null) {
                    props.setProperty("user", user);
                }
                if (password != null) {
                    props.setProperty("password", password);
                }
                props.setProperty("connectTimeout", String.valueOf(seconds(timeout)));
                props.setProperty("socketTimeout", String.valueOf(seconds(timeout)));
                props.setProperty("ApplicationName", "foundups-db-monitor");
                pollConnection = DriverManager.getConnection(jdbcUrl, props);
                pollConnection.setAutoCommit(true);
            }
            try (Statement st = pollConnection.createStatement(); ResultSet rs = st.executeQuery(POLL)) {
                rs.next();
                inRecovery = rs.getBoolean(1);
                walPosition = Lsn.parse(rs.getString(2));
            }
            reachable = true;
            polledOnce = true;
            return true;
        } catch (SQLException | RuntimeException e) {
            closePollConnection();
            reachable = false;
            polledOnce = true;
            lastError = e.getMessage();
            return false;
        }
    }

    private void closePollConnection() {
        if (pollConnection != null) {
            try {
                pollConnection.close();
            } catch (SQLException ignored) {
                // gone already
            }
            pollConnection = null;
        }
    }

    void close() {
        closePollConnection();
        HikariDataSource p = pool;
        if (p != null) {
            p.close();
        }
    }

    static int seconds(Duration d) {
        return (int) Math.max(1, (d.toMillis() + 999) / 1000);
    }

    @Override
    public String toString() {
        return name;
    }
}
