package dev.foundups.db.internal.routing;

import java.sql.Connection;
import java.util.Set;

/**
 * A standby's connection that runs a failed read once more on another node: when executing a prepared statement
 * fails because the standby went away (or refused: read-only, recovery conflict, a table it has not replayed yet),
 * the statement is prepared again on the retry connection, its parameters and settings replayed, and run there
 * ({@link ReplayingConnection}). The caller, jOOQ, sees the second result and no error.
 */
final class RetryingRead {

    private static final Set<String> READS = Set.of("executeQuery", "execute");

    private RetryingRead() {
    }

    static Connection wrap(Connection connection, Node node, ReadRouting reads) {
        return ReplayingConnection.wrap(connection, READS, (failure, original, attempt) ->
                attempt == 0 && SqlStates.retryableOnReplica(failure) ? reads.retryConnection(node, failure) : null);
    }
}
