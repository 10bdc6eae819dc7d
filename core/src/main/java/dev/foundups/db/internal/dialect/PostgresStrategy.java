package dev.foundups.db.internal.dialect;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.SelectForUpdateStep;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.Dialect;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.backup.BackupFile;
import dev.foundups.db.internal.backup.PostgresBackup;
import dev.foundups.db.internal.config.DataSources;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.routing.JdbcHosts;
import dev.foundups.db.internal.routing.ReplicaSettings;
import dev.foundups.db.internal.routing.Router;
import dev.foundups.db.internal.routing.SqlStates;
import dev.foundups.db.internal.sharding.ShardRouting;
import dev.foundups.db.internal.sharding.ShardSettings;
import liquibase.database.core.PostgresDatabase;

/**
 * PostgreSQL: a server with row locks, advisory locks, asynchronous commit, schemas, {@code COPY} and identity
 * sequences.
 */
final class PostgresStrategy extends DialectStrategy {

    static final PostgresStrategy INSTANCE = new PostgresStrategy();

    private PostgresStrategy() {
        super(Dialect.POSTGRESQL, SQLDialect.POSTGRES, 10, PostgresDatabase::new, new PostgresTableObjects());
    }

    @Override
    public void configurePool(HikariConfig config, DatabaseUrl url, Duration busyTimeout, long walSizeLimit) {
        config.setDriverClassName("org.postgresql.Driver");
        config.addDataSourceProperty("ApplicationName", "foundups-db");
        // A connection whose server went away, or became a standby (a demoted primary), is evicted at once.
        config.setExceptionOverride(new SqlStates.EvictGone(true));
        if (JdbcHosts.multiHost(url.jdbcUrl())) {
            // Several hosts: connect to whichever is the primary now, and look again soon after a failover.
            if (!JdbcHosts.hasParameter(url.jdbcUrl(), "targetServerType")) {
                config.addDataSourceProperty("targetServerType", "primary");
            }
            if (!JdbcHosts.hasParameter(url.jdbcUrl(), "hostRecheckSeconds")) {
                config.addDataSourceProperty("hostRecheckSeconds", "1");
            }
        }
    }

    @Override
    public void requirePostgres(ErrorCode code, String setting, String why) {
    }

    /** One query: is the database sharded? Routing only once it is. */
    @Override
    public ShardRouting openSharding(ShardSettings settings) {
        return ShardRouting.open(settings);
    }

    /** Routing when there are explicit replicas, or several hosts (a failover pair) to find the primary among. */
    @Override
    public Router installReadRouting(DefaultConfiguration configuration, DatabaseUrl url, HikariDataSource writer,
                                     ReplicaSettings settings, int poolSize) {
        if (!settings.configured() && !JdbcHosts.multiHost(url.jdbcUrl())) {
            return null;
        }
        return Router.install(configuration, url, writer, settings, poolSize);
    }

    /** The server serialises writers itself. */
    @Override
    public AutoCloseable installWritePath(DefaultConfiguration configuration, DatabaseUrl url, HikariDataSource pool,
                                          Duration busyTimeout, long walSizeLimit) {
        return () -> { };
    }

    @Override
    public Properties snapshotReaderProperties(DatabaseUrl url, String setting) {
        return new Properties();
    }

    /** One repeatable-read transaction sees one snapshot for all its statements. */
    @Override
    public void beginSnapshot(Connection connection) throws SQLException {
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        connection.setReadOnly(true);
    }

    /** A server database exists once it can be connected to; connecting tells. */
    @Override
    public boolean exists(DatabaseUrl url) {
        return true;
    }

    @Override
    public MigrationLock migrationLock(DatabaseUrl url, DataSource pool) {
        return MigrationLock.advisory(pool);
    }

    @Override
    public <R extends Record> R fetchLocked(SelectForUpdateStep<R> select) {
        return select.forUpdate().fetchOne();
    }

    /**
     * The commit does not wait for its WAL flush. PostgreSQL's WAL is sequential, so the next synchronous commit of
     * any session flushes it too.
     */
    @Override
    public void commitWithoutWaitingForDisk(DSLContext tx) {
        tx.execute("SET LOCAL synchronous_commit TO OFF");
    }

    /**
     * A transaction with a transaction id, committed synchronously, flushes the WAL up to its own commit record,
     * and so every asynchronous commit before it.
     */
    @Override
    public void makeDurable(DSLContext dsl) {
        dsl.transaction(tx -> tx.dsl().fetchValue("SELECT txid_current()"));
    }

    @Override
    public int writeParallelism(int requested) {
        return Math.max(1, requested);
    }

    /** The connection's current schema: not always {@code public}. */
    @Override
    public String metadataSchema(Connection connection) throws SQLException {
        return connection.getSchema();
    }

    @Override
    public boolean relationExists(DSLContext dsl, String name) {
        return dsl.fetchValue("SELECT count(*) FROM pg_class WHERE relname = ? "
                + "AND relnamespace = current_schema()::regnamespace", name) instanceof Number n && n.intValue() > 0;
    }

    @Override
    public void setInstant(PreparedStatement statement, int index, Instant value) throws SQLException {
        statement.setObject(index, value.truncatedTo(ChronoUnit.MILLIS).atOffset(ZoneOffset.UTC));
    }

    @Override
    public Instant getInstant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant().truncatedTo(ChronoUnit.MILLIS);
    }

    @Override
    public long sizeBytes(DatabaseUrl url, DSLContext dsl) {
        return dsl.fetchValue(DSL.field("pg_database_size(current_database())", Long.class));
    }

    @Override
    public void dropTables(DSLContext dsl, List<String> tables) {
        for (String table : tables) {
            dsl.dropTableIfExists(DSL.name(table)).cascade().execute();
        }
    }

    /**
     * {@code TRUNCATE}: no row-by-row delete, and identity sequences start again. Without {@code CASCADE}: a table
     * of someone else's that references one of these stops it, rather than being emptied too.
     */
    @Override
    public void emptyTables(DSLContext dsl, List<String> tables) {
        for (String table : tables) {
            dsl.truncate(DSL.table(DSL.name(table))).restartIdentity().execute();
        }
    }

    /** One {@code COPY ... FROM STDIN} for the whole table instead of a round trip per batch. */
    @Override
    public TableLoader tableLoader(DSLContext tx, Table<?> table, List<Field<?>> fields) {
        // Identifiers come from the generated classes or were validated; rendered quoted.
        String sql = "COPY " + tx.render(table) + " ("
                + fields.stream().map(f -> tx.render(f.getUnqualifiedName())).collect(Collectors.joining(", "))
                + ") FROM STDIN";
        ConnectionProvider provider = tx.configuration().connectionProvider();
        Connection connection = provider.acquire();
        String name = table.getName();
        try {
            PostgresCopyWriter writer = new PostgresCopyWriter(connection, sql, name);
            return new TableLoader() {
                @Override
                public void row(Object[] values) {
                    copying(name, () -> writer.row(values));
                }

                @Override
                public void finish() {
                    copying(name, writer::finish);
                }

                @Override
                public void close() {
                    try {
                        writer.close();
                    } finally {
                        provider.release(connection);
                    }
                }
            };
        } catch (SQLException e) {
            provider.release(connection);
            throw copyFailed(name, e);
        }
    }

    /** A step of a COPY, its SQLException turned into jOOQ's exception as every other statement's is. */
    private interface CopyStep {
        void run() throws SQLException;
    }

    private static void copying(String table, CopyStep step) {
        try {
            step.run();
        } catch (SQLException e) {
            throw copyFailed(table, e);
        }
    }

    private static DataAccessException copyFailed(String table, SQLException e) {
        return new DataAccessException("COPY into " + table + " failed: " + e.getMessage(), e);
    }

    /** Loaded rows carry their ids and did not move the identity sequence: set it past the largest id. */
    @Override
    public void continueIdentity(DSLContext tx, Table<?> table, String identityColumn) {
        Field<Object> id = DSL.field(DSL.name(identityColumn));
        tx.resultQuery("SELECT setval(pg_get_serial_sequence({0}, {1}), COALESCE(MAX({2}), 0) + 1, false) FROM {3}",
                DSL.val(table.getName()), DSL.val(identityColumn), id, table).fetch();
    }

    @Override
    public long backup(DatabaseUrl url, HikariDataSource pool, BackupFile file, Path clientTools) throws IOException {
        return PostgresBackup.backup(url, clientTools, file);
    }

    @Override
    public void restore(DatabaseUrl url, Path source, Duration busyTimeout, Path clientTools) throws IOException {
        try (HikariDataSource target = DataSources.open(url, 2, busyTimeout, 0)) {
            PostgresBackup.restore(url, target, source, clientTools);
        }
    }
}
