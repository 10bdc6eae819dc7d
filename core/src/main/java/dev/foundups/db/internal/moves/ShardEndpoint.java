package dev.foundups.db.internal.moves;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.Dialect;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DataSources;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.config.JooqSettings;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.namespaces.TemplateRegistry;
import dev.foundups.db.internal.routing.SqlStates;

/**
 * One shard as a move sees it: plain connections of the mover's own (so a move never waits for, or starves, the
 * application's pools), and on demand the library's {@link Namespaces} on it, to provision a namespace the way
 * every other path does. Every session runs in UTC, so that text forms of timestamps compare across servers.
 */
final class ShardEndpoint implements AutoCloseable {

    private final String name;
    private final DatabaseUrl url;
    private HikariDataSource pool;
    private Namespaces namespaces;

    ShardEndpoint(String name, DatabaseUrl url) {
        url.strategy().requirePostgres("the URL of shard '" + name + "' (" + url + ")", "shards and moves need "
                + "PostgreSQL (DATABASE_URL and every shard URL must be postgresql://...)");
        this.name = name;
        this.url = url;
    }

    /**
     * @param directory the shard directory
     * @param shard     a shard's name ({@code main} for the directory's own database)
     * @return the shard at the URL the directory holds for it
     * @throws FoundupsDbException CONFIGURATION for an unknown shard, or one that is not PostgreSQL
     */
    static ShardEndpoint of(Moves.Directory directory, String shard) {
        return new ShardEndpoint(shard, directory.shardUrl(shard));
    }

    DatabaseUrl url() {
        return url;
    }

    /**
     * @return a new connection in autocommit mode; the caller closes it
     * @throws FoundupsDbException DB_CONNECTION naming the shard (password masked) when it cannot connect
     */
    Connection connect() {
        Properties properties = new Properties();
        properties.setProperty("ApplicationName", "foundups-db-mover");
        properties.setProperty("connectTimeout", Integer.toString(Conninfo.CONNECT_TIMEOUT_SECONDS));
        try {
            Connection connection = url.connect(properties);
            try (Statement st = connection.createStatement()) {
                st.execute("SET TIME ZONE 'UTC'");
            }
            return connection;
        } catch (SQLException e) {
            throw unreachable(e);
        }
    }

    /** @return a connection, or null when the shard cannot be reached now (cleanup records what it left) */
    Connection tryConnect() {
        try {
            return connect();
        } catch (FoundupsDbException e) {
            if (e.getCause() instanceof SQLException s && SqlStates.gone(s)) {
                return null;
            }
            throw e;
        }
    }

    private FoundupsDbException unreachable(SQLException e) {
        return new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot connect to shard '" + name + "' (" + url
                + "): " + DatabaseUrl.mask(String.valueOf(e.getMessage())), e);
    }

    /**
     * @param classLoader where the templates are
     * @return the namespaces of this shard, on a small pool of the mover's own
     */
    Namespaces namespaces(ClassLoader classLoader) {
        if (namespaces == null) {
            pool = DataSources.open(url, 2, Duration.ofSeconds(10), 64L << 20);
            DSLContext dsl = DSL.using(pool, SQLDialect.POSTGRES, JooqSettings.plain());
            namespaces = new Namespaces(dsl, url.strategy(), new TemplateRegistry(Dialect.POSTGRESQL, classLoader, dsl),
                    1);
        }
        return namespaces;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }

    @Override
    public String toString() {
        return "shard '" + name + "'";
    }
}
