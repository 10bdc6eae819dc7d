package dev.foundups.db.internal.dialect;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.SelectForUpdateStep;
import org.jooq.Table;
import org.jooq.impl.DefaultConfiguration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.Dialect;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.backup.BackupFile;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.routing.ReplicaSettings;
import dev.foundups.db.internal.routing.Router;
import dev.foundups.db.internal.sharding.ShardRouting;
import dev.foundups.db.internal.sharding.ShardSettings;

/**
 * Everything FoundUps DB does differently on each database product, in one place: one subclass per dialect
 * ({@link SqliteStrategy}, {@link PostgresStrategy}), in the manner of Flyway's {@code Database} classes. The rest
 * of the library asks the strategy instead of branching on the dialect, so adding a dialect means adding one class,
 * and routing (which server a statement goes to) can sit beside it without touching namespace code.
 */
public abstract class DialectStrategy {

    /**
     * @param dialect the dialect
     * @return its strategy; the one place that chooses by dialect
     */
    public static DialectStrategy of(Dialect dialect) {
        return switch (dialect) {
            case SQLITE -> SqliteStrategy.INSTANCE;
            case POSTGRESQL -> PostgresStrategy.INSTANCE;
        };
    }

    /**
     * @param dialect a jOOQ dialect, such as a context's
     * @return the strategy of its family
     * @throws FoundupsDbException CONFIGURATION for a dialect FoundUps DB does not run on
     */
    public static DialectStrategy of(SQLDialect dialect) {
        for (DialectStrategy strategy : List.of(SqliteStrategy.INSTANCE, PostgresStrategy.INSTANCE)) {
            if (strategy.jooqDialect.family() == dialect.family()) {
                return strategy;
            }
        }
        throw new FoundupsDbException(ErrorCode.CONFIGURATION, "FoundUps DB runs on SQLite and PostgreSQL, not on "
                + dialect.getName());
    }

    private final Dialect dialect;
    private final SQLDialect jooqDialect;
    private final int defaultPoolSize;
    private final Supplier<liquibase.database.Database> offlineLiquibaseDatabase;
    private final TableObjects tableObjects;

    DialectStrategy(Dialect dialect, SQLDialect jooqDialect, int defaultPoolSize,
                    Supplier<liquibase.database.Database> offlineLiquibaseDatabase, TableObjects tableObjects) {
        this.dialect = dialect;
        this.jooqDialect = jooqDialect;
        this.defaultPoolSize = defaultPoolSize;
        this.offlineLiquibaseDatabase = offlineLiquibaseDatabase;
        this.tableObjects = tableObjects;
    }

    /** @return the dialect this strategy implements */
    public final Dialect dialect() {
        return dialect;
    }

    /** @return the jOOQ dialect to render SQL for */
    public final SQLDialect jooqDialect() {
        return jooqDialect;
    }

    /** @return the pool size when none is configured */
    public final int defaultPoolSize() {
        return defaultPoolSize;
    }

    /** @return a Liquibase database of this dialect, not connected: its SQL generators render templates */
    public final liquibase.database.Database offlineLiquibaseDatabase() {
        return offlineLiquibaseDatabase.get();
    }

    /** @return how to find a table's objects in the engine's catalog and rename them, as a namespace's rename does */
    public final TableObjects tableObjects() {
        return tableObjects;
    }

    // ---- connections

    /**
     * Sets the driver and the per-connection settings of a pool.
     *
     * @param config       the pool's configuration, with URL and size set
     * @param url          the database
     * @param busyTimeout  how long a connection waits for another's lock (SQLite)
     * @param walSizeLimit the size the WAL is cut back to after a checkpoint (SQLite)
     */
    public abstract void configurePool(HikariConfig config, DatabaseUrl url, Duration busyTimeout, long walSizeLimit);

    /**
     * Adjusts a pool once it has connected for the first time; nothing by default.
     *
     * @param pool the started pool
     */
    public void poolStarted(HikariDataSource pool) {
    }

    /**
     * Installs what writes need on this dialect before any context derives from the configuration (on SQLite: one
     * writer at a time and a bounded WAL).
     *
     * @return what to close with the database; never null
     */
    public abstract AutoCloseable installWritePath(DefaultConfiguration configuration, DatabaseUrl url,
                                                   HikariDataSource pool,
                                   Duration busyTimeout, long walSizeLimit);

    // ---- what only a PostgreSQL server has: read replicas, shards and moves, restoring a backup set

    /**
     * Refuses this database where only PostgreSQL will do (as a read replica, a shard, the directory of moves, the
     * target of a backup set's restore), before anything is opened; nothing on PostgreSQL.
     *
     * @param setting what names the database, leading the message, with its value where that helps
     *                ({@code "the URL of shard 'a'"})
     * @param why     what needs PostgreSQL and how to fix it, ending the message
     * @throws FoundupsDbException CONFIGURATION on a dialect without it
     */
    public final void requirePostgres(String setting, String why) {
        requirePostgres(ErrorCode.CONFIGURATION, setting, why);
    }

    /**
     * As {@link #requirePostgres(String, String)}, for a database named by something other than a setting.
     *
     * @param code the error code to refuse with, such as BACKUP for a URL read out of a backup
     */
    public abstract void requirePostgres(ErrorCode code, String setting, String why);

    /**
     * Opens the sharding of a database: the directory, and routing once it has shards.
     *
     * @param settings what the shards are opened with
     * @return the sharding to close with the database, or null on a dialect without shards
     */
    public abstract ShardRouting openSharding(ShardSettings settings);

    // ---- read replicas (routing: dev.foundups.db.internal.routing)

    /**
     * Refuses replica settings this dialect cannot honour, before anything is opened.
     *
     * @param settings the resolved replica settings
     * @param url      the database
     */
    public void checkReplicaSettings(ReplicaSettings settings, DatabaseUrl url) {
    }

    /**
     * Installs read routing on the configuration when the database has replicas (or several hosts to fail over
     * between), before any context derives from it.
     *
     * @param configuration the database's base configuration
     * @param url           the database
     * @param writer        the pool that writes go through
     * @param settings      the replica settings
     * @param poolSize      the size of each replica's read pool
     * @return the router to close with the database, or null when every statement goes to the one server
     */
    public Router installReadRouting(DefaultConfiguration configuration, DatabaseUrl url, HikariDataSource writer,
                                     ReplicaSettings settings, int poolSize) {
        return null;
    }

    /**
     * Properties for a plain (unpooled) connection that reads a whole database in one snapshot, such as a copy's
     * source. Checks first that the database exists.
     *
     * @param url     the database
     * @param setting what to call it in messages
     * @return driver properties
     */
    public abstract Properties snapshotReaderProperties(DatabaseUrl url, String setting);

    /** Starts the one read transaction of a snapshot reader (auto-commit is turned off by the caller). */
    public abstract void beginSnapshot(Connection connection) throws SQLException;

    /** @return whether the database exists already, so that looking at it creates nothing */
    public abstract boolean exists(DatabaseUrl url);

    // ---- locks and durability

    /** @return the lock that serialises schema changes across processes, released when its holder dies */
    public abstract MigrationLock migrationLock(DatabaseUrl url, DataSource pool);

    /**
     * Reads one row and locks it until the end of the transaction.
     *
     * @param select the query for the row
     * @return the row, or null
     */
    public abstract <R extends Record> R fetchLocked(SelectForUpdateStep<R> select);

    /**
     * Lets the current transaction commit without waiting for its WAL flush. Only for work that is atomic and
     * idempotent, whose loss in a crash is simply redone; followed, at the end of a batch, by
     * {@link #makeDurable}.
     */
    public abstract void commitWithoutWaitingForDisk(DSLContext tx);

    /** Waits until every earlier commit, also those of {@link #commitWithoutWaitingForDisk}, is on disk. */
    public abstract void makeDurable(DSLContext dsl);

    /**
     * @param requested how many connections bulk namespace work may use
     * @return how many it will use: SQLite has one writer
     */
    public abstract int writeParallelism(int requested);

    // ---- the catalog of the engine

    /**
     * @return the schema to look tables up in: the connection's current schema, or null where there are none
     */
    public abstract String metadataSchema(Connection connection) throws SQLException;

    /**
     * The tables of the database, in the connection's schema, without the engine's own.
     *
     * @return table names, sorted
     */
    public Set<String> tables(Connection connection) throws SQLException {
        Set<String> names = new TreeSet<>();
        DatabaseMetaData meta = connection.getMetaData();
        try (ResultSet rs = meta.getTables(null, metadataSchema(connection), "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME");
                if (!isEngineTable(name)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /**
     * The columns of a table in the connection's schema, in table order.
     *
     * @return column names as the engine reports them; empty when there is no such table
     */
    public List<String> columnNames(Connection connection, String table) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        String escape = meta.getSearchStringEscape();
        // The name is a pattern to JDBC: '_' would match any character, so table a_b would also find aXb.
        String pattern = escape == null || escape.isEmpty() ? table
                : table.replace("_", escape + "_").replace("%", escape + "%");
        List<String> columns = new java.util.ArrayList<>();
        try (ResultSet rs = meta.getColumns(null, metadataSchema(connection), pattern, "%")) {
            while (rs.next()) {
                if (table.equalsIgnoreCase(rs.getString("TABLE_NAME"))) {
                    columns.add(rs.getString("COLUMN_NAME"));
                }
            }
        }
        return columns;
    }

    /** @return whether a table belongs to the engine itself (SQLite's {@code sqlite_*}) */
    public boolean isEngineTable(String name) {
        return false;
    }

    /** @return whether a table, index, sequence, view or trigger of this name exists */
    public abstract boolean relationExists(DSLContext dsl, String name);

    /** @return the database's size on disk in bytes */
    public abstract long sizeBytes(DatabaseUrl url, DSLContext dsl) throws IOException;

    /**
     * Binds an instant as the generated classes' timestamp columns store it (see {@code UtcInstantBinding}), for
     * hot statements run on plain JDBC.
     *
     * @param statement the statement
     * @param index     the parameter's index
     * @param value     the instant, not null
     * @throws SQLException as JDBC does
     */
    public abstract void setInstant(PreparedStatement statement, int index, Instant value) throws SQLException;

    /**
     * Reads an instant as the generated classes' timestamp columns store it, for statements run on plain JDBC.
     *
     * @param rs     the result set, on its row
     * @param column the column's index
     * @return the instant, or null for SQL NULL
     * @throws SQLException as JDBC does
     */
    public abstract Instant getInstant(ResultSet rs, int column) throws SQLException;

    /**
     * Drops tables, all or none, in the caller's transaction; tables that others reference go too.
     *
     * @param dsl    a context on the connection
     * @param tables the tables
     */
    public abstract void dropTables(DSLContext dsl, List<String> tables);

    /**
     * Removes every row of tables, all or none, in the caller's transaction; the tables stay, and so does what
     * Liquibase recorded of them.
     *
     * @param dsl    a context on the connection
     * @param tables the tables
     */
    public abstract void emptyTables(DSLContext dsl, List<String> tables);

    // ---- bulk loading

    /**
     * A writer of many rows into one table, inside the caller's transaction.
     *
     * @param tx     the transaction's context
     * @param table  the table
     * @param fields its columns, in the order of each row's values
     * @return the loader; {@link TableLoader#finish()} ends it
     */
    public abstract TableLoader tableLoader(DSLContext tx, Table<?> table, List<Field<?>> fields);

    /**
     * After rows were loaded with their ids: moves the id generator past the largest id, so the next insert does
     * not collide with a loaded row.
     */
    public abstract void continueIdentity(DSLContext tx, Table<?> table, String identityColumn);

    /** Rows into one table. */
    public interface TableLoader extends AutoCloseable {
        /** @param values one row, in the order of the loader's fields */
        void row(Object[] values);

        /** Writes what is pending. */
        void finish();

        @Override
        default void close() {
        }
    }

    // ---- backup

    /**
     * Backs up a database in use.
     *
     * @return the bytes written
     */
    public abstract long backup(DatabaseUrl url, HikariDataSource pool, BackupFile file, Path clientTools)
            throws IOException, SQLException;

    /** Restores a backup made by {@link #backup} into a database that is not open. */
    public abstract void restore(DatabaseUrl url, Path source, Duration busyTimeout, Path clientTools)
            throws IOException, SQLException;
}
