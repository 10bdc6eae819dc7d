package dev.foundups.db.internal.dialect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import javax.sql.DataSource;

import org.jooq.BatchBindStep;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Insert;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.SelectForUpdateStep;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.Dialect;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.backup.BackupFile;
import dev.foundups.db.internal.backup.SqliteBackup;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.routing.ReplicaSettings;
import dev.foundups.db.internal.sharding.ShardRouting;
import dev.foundups.db.internal.sharding.ShardSettings;
import dev.foundups.db.internal.sqlite.WriteDiscipline;
import dev.foundups.db.types.UtcInstantBinding;
import liquibase.database.core.SQLiteDatabase;

/**
 * SQLite: one file, one writer at a time, per-connection PRAGMAs, and transactions that begin IMMEDIATE (so a
 * transaction already holds the write lock, and the row locks of PostgreSQL are not needed).
 */
final class SqliteStrategy extends DialectStrategy {

    static final SqliteStrategy INSTANCE = new SqliteStrategy();

    /** Rows per batch when loading a table: one writer in one transaction, so a batch costs no commit. */
    private static final int LOAD_BATCH = 1_000;

    /** Four connections by default: one writer at a time anyway; readers need only a few. */
    private SqliteStrategy() {
        super(Dialect.SQLITE, SQLDialect.SQLITE, 4, SQLiteDatabase::new, new SqliteTableObjects());
    }

    /** One file has no servers to replicate to, shard over or restore a set into. */
    @Override
    public void requirePostgres(ErrorCode code, String setting, String why) {
        throw new FoundupsDbException(code, setting + " is not a PostgreSQL URL: it names a SQLite database; " + why);
    }

    @Override
    public ShardRouting openSharding(ShardSettings settings) {
        return null;
    }

    /** One file has no standbys: replica settings would silently do nothing, so they are refused. */
    @Override
    public void checkReplicaSettings(ReplicaSettings settings, DatabaseUrl url) {
        if (settings.configured()) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, settings.replicasSource() + ": read replicas need "
                    + "PostgreSQL, but the database is the SQLite file " + url.sqlitePath().orElseThrow()
                    + ". Remove the replica setting, or point DATABASE_URL at the PostgreSQL primary");
        }
    }

    @Override
    public void configurePool(HikariConfig config, DatabaseUrl url, Duration busyTimeout, long walSizeLimit) {
        createParentFolder(url.sqlitePath().orElseThrow());
        config.setDriverClassName("org.sqlite.JDBC");
        // The pool's first connection sets journal_mode=WAL, which on a new file needs its lock: processes opening
        // the same new file at once can get SQLITE_BUSY there without SQLite's busy handler waiting. HikariCP then
        // tries again, for as long as a write would wait. (The writer's pool connects lazily: left as it is.)
        if (config.getInitializationFailTimeout() > 0) {
            config.setInitializationFailTimeout(Math.max(1, busyTimeout.toMillis()));
        }
        // No retirement after HikariCP's 30 minutes: a SQLite connection is a file handle, and each new one parses
        // the whole schema again (seconds at thousands of namespaces) and loses its cached statements.
        config.setMaxLifetime(0);
        // For the same reason an idle connection is kept rather than retired after ten minutes (see poolStarted).
        config.setIdleTimeout(0);
        config.addDataSourceProperty("journal_mode", "WAL");
        config.addDataSourceProperty("synchronous", "NORMAL");
        config.addDataSourceProperty("foreign_keys", "true");
        config.addDataSourceProperty("busy_timeout", String.valueOf(busyTimeout.toMillis()));
        config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        // Per connection: without it, a WAL once grown stays at its largest size on disk after checkpoints.
        config.addDataSourceProperty("journal_size_limit", String.valueOf(walSizeLimit));
        // jOOQ reads new ids with RETURNING; without this the driver also runs SELECT last_insert_rowid() after
        // every INSERT.
        config.addDataSourceProperty("jdbc.get_generated_keys", "false");
    }

    /**
     * The pool connected once at start (a bad path fails there, at once), keeping that connection; from then on it
     * connects only when a caller finds every connection busy. HikariCP would otherwise open a second connection in
     * the background as soon as the first is in use, to keep one idle: on SQLite each new connection parses the
     * whole schema, which at 10,000 namespaces costs as much CPU as the opening itself, and closing the pool waits for
     * a connection being made.
     */
    @Override
    public void poolStarted(HikariDataSource pool) {
        pool.getHikariConfigMXBean().setMinimumIdle(0);
    }

    private static void createParentFolder(Path file) {
        Path parent = file.getParent();
        if (parent == null) {
            return;
        }
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, "DATABASE_URL points at " + file
                    + ", but its folder cannot be created: " + e.getMessage(), e);
        }
    }

    @Override
    public AutoCloseable installWritePath(DefaultConfiguration configuration, DatabaseUrl url, HikariDataSource pool,
                                          Duration busyTimeout, long walSizeLimit) {
        return WriteDiscipline.install(configuration, url, pool, busyTimeout, walSizeLimit)::close;
    }

    @Override
    public Properties snapshotReaderProperties(DatabaseUrl url, String setting) {
        Path file = url.sqlitePath().orElseThrow();
        // Connecting would create an empty file and then report it "not a FoundUps DB": say what is wrong.
        if (!Files.isRegularFile(file)) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, setting + ": there is no SQLite database at "
                    + file);
        }
        Properties properties = new Properties();
        properties.setProperty("busy_timeout", "10000");
        return properties;
    }

    /** A deferred SQLite transaction takes its snapshot at its first read and keeps it. */
    @Override
    public void beginSnapshot(Connection connection) {
    }

    @Override
    public boolean exists(DatabaseUrl url) {
        return Files.exists(url.sqlitePath().orElseThrow());
    }

    @Override
    public MigrationLock migrationLock(DatabaseUrl url, DataSource pool) {
        return MigrationLock.fileLock(url.sqlitePath().orElseThrow());
    }

    /** The transaction began IMMEDIATE: it holds the write lock of the whole file already. */
    @Override
    public <R extends Record> R fetchLocked(SelectForUpdateStep<R> select) {
        return select.fetchOne();
    }

    /** In WAL mode with synchronous=NORMAL a commit does not wait for the disk anyway. */
    @Override
    public void commitWithoutWaitingForDisk(DSLContext tx) {
    }

    @Override
    public void makeDurable(DSLContext dsl) {
    }

    @Override
    public int writeParallelism(int requested) {
        return 1;
    }

    @Override
    public String metadataSchema(Connection connection) {
        return null;
    }

    @Override
    public boolean isEngineTable(String name) {
        return name.startsWith("sqlite_");
    }

    @Override
    public boolean relationExists(DSLContext dsl, String name) {
        return dsl.fetchValue("SELECT count(*) FROM sqlite_master WHERE name = ? COLLATE NOCASE", name)
                instanceof Number n && n.intValue() > 0;
    }

    @Override
    public void setInstant(PreparedStatement statement, int index, Instant value) throws SQLException {
        statement.setString(index, UtcInstantBinding.format(value));
    }

    @Override
    public Instant getInstant(ResultSet rs, int column) throws SQLException {
        return UtcInstantBinding.parse(rs.getString(column));
    }

    /** The file and its WAL. */
    @Override
    public long sizeBytes(DatabaseUrl url, DSLContext dsl) throws IOException {
        Path file = url.sqlitePath().orElseThrow();
        long total = Files.size(file);
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        return Files.exists(wal) ? total + Files.size(wal) : total;
    }

    @Override
    public void dropTables(DSLContext dsl, List<String> tables) {
        // Per connection, and off by default in the driver; said explicitly, as order does not matter then.
        dsl.execute("PRAGMA foreign_keys = OFF");
        for (String table : tables) {
            dsl.dropTableIfExists(DSL.name(table)).execute();
        }
    }

    /** SQLite has no TRUNCATE; a DELETE without a condition empties a table as fast. */
    @Override
    public void emptyTables(DSLContext dsl, List<String> tables) {
        for (String table : tables) {
            dsl.deleteFrom(DSL.table(DSL.name(table))).execute();
        }
    }

    /** Batched inserts: one prepared statement, {@value #LOAD_BATCH} rows per round. */
    @Override
    public TableLoader tableLoader(DSLContext tx, Table<?> table, List<Field<?>> fields) {
        Insert<?> insert = tx.insertInto(table, fields).values(new Object[fields.size()]);
        return new TableLoader() {
            private BatchBindStep batch = tx.batch(insert);
            private int pending;

            @Override
            public void row(Object[] values) {
                batch.bind(values);
                if (++pending == LOAD_BATCH) {
                    finish();
                }
            }

            @Override
            public void finish() {
                if (pending > 0) {
                    batch.execute();
                    batch = tx.batch(insert);
                    pending = 0;
                }
            }
        };
    }

    /** AUTOINCREMENT continues after the largest id by itself. */
    @Override
    public void continueIdentity(DSLContext tx, Table<?> table, String identityColumn) {
    }

    @Override
    public long backup(DatabaseUrl url, HikariDataSource pool, BackupFile file, Path clientTools)
            throws IOException, SQLException {
        return SqliteBackup.backup(pool, url.sqlitePath().orElseThrow(), file);
    }

    @Override
    public void restore(DatabaseUrl url, Path source, Duration busyTimeout, Path clientTools)
            throws IOException, SQLException {
        SqliteBackup.restore(url.sqlitePath().orElseThrow(), source, busyTimeout);
    }
}
