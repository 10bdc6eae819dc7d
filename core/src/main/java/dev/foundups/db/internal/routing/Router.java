package dev.foundups.db.internal.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;

import org.jooq.Configuration;
import org.jooq.ExecuteListenerProvider;
import org.jooq.TransactionListenerProvider;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.jooq.impl.DefaultTransactionListenerProvider;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.ReplicationStatus;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * Routes a replicated PostgreSQL database's statements: writes and transactions to the writer pool (the primary),
 * reads outside a transaction to a standby that has replayed far enough, else to the primary.
 *
 * <p>The parts, each in its own type: {@link ReadYourWrites} knows what each thread's reads must see, in WAL
 * positions; the {@link StandbyPoller} watches the servers ({@link Nodes}) for role, position and lag;
 * {@link ReadRouting} chooses each read's connection; the {@link FailoverWatch} times a lost primary. This class
 * installs them into a database's jOOQ configuration and is what the rest of the library calls.
 */
public final class Router implements AutoCloseable {

    private static final String KEY = Router.class.getName();

    private final HikariDataSource writer;
    private final ReplicaSettings settings;
    private final Nodes nodes;
    private final ReadYourWrites positions;
    private final FailoverWatch failover;
    private final ReadRouting reads;
    private final StandbyPoller poller;

    private Router(DatabaseUrl primaryUrl, HikariDataSource writer, ReplicaSettings settings, int poolSize) {
        this.writer = writer;
        this.settings = settings;
        this.nodes = Nodes.of(primaryUrl, settings, poolSize);
        this.positions = new ReadYourWrites(settings.reads());
        this.failover = new FailoverWatch(writer, nodes);
        this.reads = new ReadRouting(writer, nodes, positions, settings.reads());
        this.poller = new StandbyPoller(nodes, positions, failover, settings.maxLag());
    }

    /**
     * Installs routing on a database's configuration, before any context derives from it: the connection provider,
     * and the listeners that see writes and commits. Polls every server once before it returns.
     *
     * @param configuration the database's base configuration
     * @param url           the primary (one host, or several with failover)
     * @param writer        the writer pool
     * @param settings      the replica settings
     * @param poolSize      the size of each replica's read pool
     * @return the router; closed with the database
     */
    public static Router install(DefaultConfiguration configuration, DatabaseUrl url, HikariDataSource writer,
                                 ReplicaSettings settings, int poolSize) {
        Router router = new Router(url, writer, settings, poolSize);
        RoutingConnectionProvider provider = new RoutingConnectionProvider(writer, router.reads);
        RoutingListener listener = new RoutingListener(router, provider);
        configuration.set(provider);
        ExecuteListenerProvider[] execute = configuration.executeListenerProviders();
        ExecuteListenerProvider[] executeAll = Arrays.copyOf(execute, execute.length + 1);
        executeAll[execute.length] = new DefaultExecuteListenerProvider(listener);
        configuration.set(executeAll);
        TransactionListenerProvider[] tx = configuration.transactionListenerProviders();
        TransactionListenerProvider[] txAll = Arrays.copyOf(tx, tx.length + 1);
        txAll[tx.length] = new DefaultTransactionListenerProvider(listener);
        configuration.set(txAll);
        configuration.data(KEY, router);
        router.poller.pollOnce();
        router.poller.start(settings.pollInterval());
        return router;
    }

    /**
     * @param configuration a context's configuration
     * @return the database's router, or empty when it has no replicas
     */
    public static Optional<Router> of(Configuration configuration) {
        return Optional.ofNullable((Router) configuration.data(KEY));
    }

    /** A write outside a transaction, or a commit, completed: later reads of this thread must see it. */
    public void committed() {
        positions.committed();
        failover.written();
    }

    /** A statement on the writer failed: when the primary is gone, the failover clock starts. */
    public void writeFailed(SQLException e) {
        failover.writeFailed(e);
    }

    /**
     * Runs the thread's reads on the primary while {@code work} runs.
     *
     * @param work what to run
     * @return its result
     */
    public <T> T onPrimary(Supplier<T> work) {
        return positions.onPrimary(work);
    }

    /**
     * Makes the thread's reads see at least a position while {@code work} runs.
     *
     * @param lsn  the position (from a consistency token)
     * @param work what to run
     * @return its result
     */
    public <T> T readingAfter(long lsn, Supplier<T> work) {
        return positions.readingAfter(lsn, work);
    }

    /**
     * The position a read must reach to see this thread's writes (or, in DATABASE mode, the database's) and the
     * tokens it was handed. Asks the primary when no poll has covered the last write yet.
     *
     * @return the position; {@link Lsn#NONE} when nothing needs to be seen
     */
    public long consistencyPosition() {
        return positions.consistencyPosition(this::primaryInsertPosition);
    }

    private long primaryInsertPosition() {
        try (Connection c = writer.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        } catch (SQLException e) {
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot read the primary's WAL position: "
                    + DatabaseUrl.mask(e.getMessage()), e);
        }
    }

    /** One read's work on a connection. */
    @FunctionalInterface
    public interface SqlWork<T> {
        /**
         * @param connection the connection, in autocommit mode
         * @return the result
         */
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs a read outside any transaction (a compiled query's): on a standby when one qualifies, once more elsewhere
     * when that standby fails it.
     *
     * @param work the read
     * @return its result
     */
    public <T> T read(SqlWork<T> work) throws SQLException {
        return reads.read(work);
    }

    /** Opening is done: from now on reads may use standbys that have replayed what opening changed. */
    public void opened() {
        reads.opened(this::primaryInsertPosition);
    }

    /** @return every node as last polled, the primary first, and the routing counters */
    public ReplicationStatus status() {
        return reads.status(settings, failover.last());
    }

    @Override
    public void close() {
        poller.close();
        nodes.close();
    }

    @Override
    public String toString() {
        return "Router" + nodes;
    }
}
