package dev.foundups.db.internal.moves;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One transaction on a move's plain connection: committed when the work returns, rolled back when it throws, and
 * the connection back in autocommit mode either way (a move's connections serve one step after another).
 */
final class Transaction {

    /** The work of a transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    private Transaction() {
    }

    static <T> T run(Connection connection, Work<T> work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            T result = work.run();
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }
}
