package dev.foundups.db.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Separate PostgreSQL servers on localhost for sharding tests, each started on first use and kept for the rest of
 * the JVM (like {@link Backend}'s server), with logical replication enabled ({@code wal_level=logical}) so that a
 * namespace can be moved between them. {@link #newDatabaseUrl(int)} makes a fresh, empty database on one of them.
 *
 * <pre>
 * String main = ShardServers.newDatabaseUrl(0);     // DATABASE_URL: the directory, and shard 'main'
 * String other = ShardServers.newDatabaseUrl(1);    // another server
 * </pre>
 */
public final class ShardServers {

    /** How many servers there can be. */
    public static final int COUNT = 3;

    private static final Backend.Postgres[] SERVERS = new Backend.Postgres[COUNT];

    private ShardServers() {
    }

    /**
     * @param server which server, from 0 to {@link #COUNT} - 1; started now if it was not
     * @return the JDBC URL (user and password as parameters) of a new, empty database on it
     */
    public static String newDatabaseUrl(int server) {
        return server(server).createDatabase();
    }

    /** @return a PostgreSQL URL on which nothing listens: a shard that cannot be reached */
    public static String unreachableUrl() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "postgresql://postgres:postgres@localhost:" + socket.getLocalPort() + "/nothing";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Backend.Postgres server(int i) {
        if (SERVERS[i] == null) {
            SERVERS[i] = new Backend.Postgres(EmbeddedPostgres.builder()
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("fsync", "off"));
        }
        return SERVERS[i];
    }
}
