package dev.foundups.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compiled statements each physical connection of a database keeps: prepared once per connection and SQL
 * text, then reused. sqlite-jdbc keeps no such cache, and HikariCP deliberately none: it closes every statement
 * prepared through its proxy when the connection goes back to the pool. So the statements are prepared on the
 * physical connection under the proxy, and live as long as it does.
 *
 * <p>A pool lends a connection to one thread at a time, and its hand-over orders memory, so one connection's cache
 * needs no lock. Connections the pool has closed are swept out whenever a new one shows up; the driver finalised
 * their statements when it closed them.
 */
final class StatementCaches {

    /** Most statements kept per connection; the least recently used one is closed past it. */
    static final int PER_CONNECTION = 128;

    private final Map<Connection, PerConnection> byConnection = new ConcurrentHashMap<>();

    /**
     * @param pooled a connection borrowed from the pool, in use by this thread
     * @param sql    the statement's SQL
     * @return the connection's statement for that SQL, prepared now if it had none
     * @throws SQLException when it cannot be prepared
     */
    Cached statement(Connection pooled, String sql) throws SQLException {
        // Physical connections do not override equals: the map is by identity.
        Connection physical = pooled.unwrap(Connection.class);
        PerConnection cache = byConnection.get(physical);
        if (cache == null) {
            byConnection.keySet().removeIf(StatementCaches::isClosed);
            cache = new PerConnection(physical);
            byConnection.put(physical, cache);
        }
        return cache.get(sql);
    }

    /** @return how many connections have a cache; for tests */
    int connections() {
        return byConnection.size();
    }

    private static boolean isClosed(Connection connection) {
        try {
            return connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /** A prepared statement, and where each result column is, found on its first execution. */
    static final class Cached {
        final PreparedStatement statement;
        int[] columns;

        Cached(PreparedStatement statement) {
            this.statement = statement;
        }
    }

    /** One connection's statements, least recently used first. */
    private static final class PerConnection extends LinkedHashMap<String, Cached> {
        private static final long serialVersionUID = 1L;

        private final transient Connection connection;

        PerConnection(Connection connection) {
            super(16, 0.75f, true);
            this.connection = connection;
        }

        Cached get(String sql) throws SQLException {
            Cached cached = super.get(sql);
            if (cached == null || cached.statement.isClosed()) {
                cached = new Cached(connection.prepareStatement(sql));
                put(sql, cached);
            }
            return cached;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            if (size() <= PER_CONNECTION) {
                return false;
            }
            try {
                eldest.getValue().statement.close();
            } catch (SQLException e) {
                // Already unusable; dropping it is all that is left to do.
            }
            return true;
        }
    }
}
