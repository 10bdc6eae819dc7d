package dev.foundups.db.internal.sharding;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * The connections of one namespace's context on a sharded database: each borrow asks the placement cache (a map
 * look-up) which shard holds the namespace now and borrows from that shard's pool. So a context that module code
 * keeps for the life of the process follows its namespace when it moves, and its SQL (the same on every shard:
 * physical table names do not depend on the shard) runs unchanged.
 *
 * <p>The connections it hands out meet a move's fence as {@link MoveFence} says: jOOQ's statements through
 * {@link FencedConnection}, compiled queries through {@link #single}.
 */
public final class PlacedDataSource implements DataSource {

    /** How often one statement follows a move; more would mean the namespace moves faster than it can write. */
    private static final int MAX_MOVES = 3;

    /** Work on one connection. */
    @FunctionalInterface
    public interface SqlWork<T> {
        /**
         * @param connection a connection of the namespace's shard, in autocommit mode
         * @return the result
         * @throws SQLException as JDBC does
         */
        T run(Connection connection) throws SQLException;
    }

    private final ShardRouting routing;
    private final Placement.Kind kind;
    private final String name;
    private final String key;
    /** The shard whose catalog built the context: where it runs while the directory has no placement for it. */
    private final String home;

    PlacedDataSource(ShardRouting routing, Placement.Kind kind, String name, String home) {
        this.routing = routing;
        this.kind = kind;
        this.name = name;
        this.key = Placement.key(kind, name);
        this.home = home;
    }

    /** @return where the namespace is now; never waits */
    Placement placement() {
        return routing.current(kind, name, key, home);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Placement placement = placement();
        return FencedConnection.wrap(routing.pool(placement.shard()).getConnection(), this, placement);
    }

    /** @return a connection on the shard a move named, for a statement to run again there */
    Connection connectionOn(Placement placement) throws SQLException {
        return routing.pool(placement.shard()).getConnection();
    }

    /** @return what meets the fences of moves */
    MoveFence fence() {
        return routing.fence();
    }

    /**
     * Runs one statement outside any transaction on the namespace's shard; when it meets the fence of a move, runs
     * it once more on the new shard after the move.
     *
     * @param work the statement's work; it may run more than once, on different connections
     * @param <T>  its result
     * @return what the work returned
     * @throws SQLException what the last attempt threw
     */
    public <T> T single(SqlWork<T> work) throws SQLException {
        Placement placement = placement();
        for (int moves = 0; ; moves++) {
            try (Connection connection = routing.pool(placement.shard()).getConnection()) {
                return work.run(connection);
            } catch (SQLException e) {
                Placement next = moves < MAX_MOVES ? fence().awaitMove(e, placement) : null;
                if (next == null) {
                    throw e;
                }
                placement = next;
            }
        }
    }

    /** @return how many moves one statement follows at most */
    static int maxMoves() {
        return MAX_MOVES;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("a namespace's connections use its shard's credentials");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // nothing is logged here
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // each shard's pool has its own
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging here");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "connections of " + key;
    }
}
