package dev.foundups.db.internal.routing;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.jooq.ConnectionProvider;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DataSourceConnectionProvider;

/**
 * The connection provider of a replicated database's configuration: the writer pool, so transactions
 * ({@code DefaultTransactionProvider} acquires once and keeps the connection), {@code connection(...)} blocks and
 * compiled queries get the primary as before. Its identity tells {@link RoutingListener} that a statement runs outside
 * a transaction (a transaction's configuration has a provider of its own); the listener then hands that one statement
 * {@link #reads()}.
 */
final class RoutingConnectionProvider extends DataSourceConnectionProvider {

    private final ConnectionProvider reads;

    RoutingConnectionProvider(DataSource writer, ReadRouting routing) {
        super(writer);
        this.reads = new ConnectionProvider() {
            @Override
            public Connection acquire() {
                try {
                    return routing.acquireRead();
                } catch (SQLException e) {
                    throw new DataAccessException("cannot get a connection for a read: " + e.getMessage(), e);
                }
            }

            @Override
            public void release(Connection connection) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    throw new DataAccessException("cannot release a read's connection: " + e.getMessage(), e);
                }
            }
        };
    }

    /** @return the provider of one typed read outside a transaction: a standby's connection, or the primary's */
    ConnectionProvider reads() {
        return reads;
    }
}
