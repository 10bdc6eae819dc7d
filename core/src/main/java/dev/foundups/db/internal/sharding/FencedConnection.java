package dev.foundups.db.internal.sharding;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

import dev.foundups.db.internal.routing.ReplayingConnection;

/**
 * A shard's connection lent to a namespace's context. When executing a prepared statement meets the fence of a
 * move ({@link MoveFence}): in autocommit mode (jOOQ's single statements) the statement waits for the move to end
 * and runs again on a connection of the new shard ({@link ReplayingConnection}), so jOOQ sees the new shard's
 * result and no error; inside a transaction it fails with {@code NAMESPACE_MOVED}. Everything else passes through.
 */
final class FencedConnection implements ReplayingConnection.Replay {

    private static final Set<String> EXECUTIONS = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "executeBatch", "executeLargeBatch");

    private final PlacedDataSource source;
    /** Where the statement last ran. */
    private Placement placement;

    private FencedConnection(PlacedDataSource source, Placement borrowed) {
        this.source = source;
        this.placement = borrowed;
    }

    static Connection wrap(Connection connection, PlacedDataSource source, Placement borrowed) {
        return ReplayingConnection.wrap(connection, EXECUTIONS, new FencedConnection(source, borrowed));
    }

    @Override
    public Connection again(SQLException failure, Connection original, int attempt) throws SQLException {
        if (!MoveFence.undefinedTable(failure)) {
            return null;
        }
        if (!original.getAutoCommit()) {
            if (source.fence().isMove(failure, placement)) {
                throw MoveFence.movedInTransaction(failure, placement);
            }
            return null;
        }
        Placement next = attempt < PlacedDataSource.maxMoves() ? source.fence().awaitMove(failure, placement) : null;
        if (next == null) {
            return null;
        }
        placement = next;
        return source.connectionOn(next);
    }
}
