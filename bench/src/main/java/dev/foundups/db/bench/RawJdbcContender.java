package dev.foundups.db.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.modules.chatrules.ChatRules;

/**
 * The practical ceiling: the same SQL as the typed API, as prepared statements made once and reused, on one
 * connection held for the whole run, with the same PRAGMAs the library's pool sets. The schema is the library's:
 * FoundUps DB creates it on the fresh database first (outside the timings), then closes.
 */
final class RawJdbcContender implements Contender {

    private final DatabaseTarget target;
    private final RawSql sql;

    RawJdbcContender(DatabaseTarget target) {
        this.target = target;
        this.sql = target.isSqlite() ? RawSql.SQLITE : RawSql.POSTGRESQL;
    }

    @Override
    public String name() {
        return "raw-" + target.label();
    }

    @Override
    public boolean inJvm() {
        return true;
    }

    @Override
    public Session open(Workload workload) throws Exception {
        String url = target.create();
        Connection connection = null;
        try {
            try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
                ChatRules.of(db);
            }
            connection = DriverManager.getConnection(url, connectionProperties());
            return new RawOperations(connection, sql, target.isSqlite(), workload, () -> target.drop(url));
        } catch (Exception | Error e) {
            if (connection != null) {
                connection.close();
            }
            target.drop(url);
            throw e;
        }
    }

    /** What {@code DataSources} gives every pooled SQLite connection; PostgreSQL needs none. */
    private Properties connectionProperties() {
        return target.isSqlite() ? RawJdbc.sqliteProperties() : new Properties();
    }

    /** Each op binds and runs a statement prepared once; autocommit commits each write. */
    private static final class RawOperations implements Session {
        private static final DateTimeFormatter SQLITE_TIMESTAMP = DateTimeFormatter.ofPattern(
                "yyyy-MM-dd HH:mm:ss.SSS");

        private final Connection connection;
        private final RawSql sql;
        private final boolean sqlite;
        private final Workload workload;
        private final PreparedStatement upsertModerator;
        private final PreparedStatement insertTimeout;
        private final PreparedStatement selectModerator;
        private final PreparedStatement insertPattern;
        private final PreparedStatement upsertError;
        private final PreparedStatement insertNamespace;
        private final Session.Cleanup cleanup;

        RawOperations(Connection connection, RawSql sql, boolean sqlite, Workload workload,
                      Session.Cleanup cleanup) throws SQLException {
            this.cleanup = cleanup;
            this.connection = connection;
            this.sql = sql;
            this.sqlite = sqlite;
            this.workload = workload;
            this.upsertModerator = connection.prepareStatement(sql.upsertModerator);
            this.insertTimeout = connection.prepareStatement(sql.insertTimeout);
            this.selectModerator = connection.prepareStatement(sql.selectModerator);
            this.insertPattern = connection.prepareStatement(sql.insertPattern);
            this.upsertError = connection.prepareStatement(sql.upsertError);
            this.insertNamespace = connection.prepareStatement(sql.insertNamespace);
        }

        @Override
        public void addModerator(int i) throws SQLException {
            upsertModerator.setString(1, Workload.moderatorId(i));
            upsertModerator.setString(2, Workload.moderatorName(i));
            upsertModerator.setInt(3, i);
            upsertModerator.setString(4, Workload.MODERATOR_DATA);
            upsertModerator.setString(5, Workload.moderatorName(i));
            upsertModerator.setInt(6, i);
            upsertModerator.setString(7, Workload.MODERATOR_DATA);
            upsertModerator.executeUpdate();
        }

        @Override
        public void recordTimeout(int i) throws SQLException {
            insertTimeout.setString(1, workload.timeoutModerator(i));
            insertTimeout.setString(2, Workload.timeoutTarget(i));
            insertTimeout.setInt(3, Workload.TIMEOUT_SECONDS);
            singleLong(insertTimeout);
        }

        @Override
        public void getModerator(int i) throws SQLException {
            String id = workload.readModerator(i);
            selectModerator.setString(1, id);
            try (ResultSet rs = selectModerator.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("moderator " + id + " not found");
                }
                // Read every column, as the typed API's record does, and check there is no second row, as
                // fetchOptional does.
                rs.getString(1);
                rs.getString(2);
                rs.getInt(3);
                rs.getString(4);
                if (rs.next()) {
                    throw new IllegalStateException("two moderators with id " + id);
                }
            }
        }

        @Override
        public void learnPattern(int i) throws SQLException {
            insertPattern.setString(1, Workload.patternAgent(i));
            insertPattern.setString(2, Workload.PATTERN_TYPE);
            insertPattern.setString(3, Workload.patternData(i));
            singleLong(insertPattern);
        }

        @Override
        public void recordError(int i) throws SQLException {
            upsertError.setString(1, Workload.errorHash(i));
            upsertError.setString(2, Workload.ERROR_TYPE);
            upsertError.setString(3, Workload.ERROR_SOLUTION);
            upsertError.setInt(4, 1);
            upsertError.setInt(5, 1);
            singleLong(upsertError);
        }

        /**
         * What the library does for a new FoundUp, less its safety checks (is it in the catalog already, are its
         * table names free): catalog row and DDL in one transaction, then the user, autocommitted.
         */
        @Override
        public void createFoundUpAndUser(int i) throws SQLException {
            String id = Workload.foundUpId(i);
            String prefix = "foundups_" + id + "_";
            connection.setAutoCommit(false);
            try {
                insertNamespace.setString(1, "foundup");
                insertNamespace.setString(2, id);
                insertNamespace.setString(3, "foundup");
                insertNamespace.setString(4, prefix);
                insertNamespace.setString(5, "ready");
                insertNamespace.setInt(6, 1);
                setNow(insertNamespace, 7);
                setNow(insertNamespace, 8);
                insertNamespace.executeUpdate();
                try (Statement ddl = connection.createStatement()) {
                    for (String statement : sql.foundUpDdl(prefix)) {
                        ddl.execute(statement);
                    }
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            // A new table: nothing to reuse, so this one is prepared per call, as any client would have to.
            try (PreparedStatement insertUser = connection.prepareStatement(RawSql.insertUser(prefix))) {
                insertUser.setString(1, Workload.USER_ID);
                insertUser.setString(2, Workload.USER_NAME);
                insertUser.executeUpdate();
            }
        }

        private void setNow(PreparedStatement statement, int index) throws SQLException {
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
            if (sqlite) {
                statement.setString(index, SQLITE_TIMESTAMP.format(now));
            } else {
                statement.setObject(index, now);
            }
        }

        /**
         * Runs an INSERT ... RETURNING and reads its one row, then steps past it, as jOOQ's {@code fetchSingle}
         * does. The last step matters on SQLite: only a statement stepped to its end runs the WAL hook that
         * checkpoints. Closing the result set early still commits (the statement is reset), but never
         * checkpoints, and the {@code -wal} file grows without bound: faster, and not the same work.
         */
        private static long singleLong(PreparedStatement statement) throws SQLException {
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("RETURNING gave no row");
                }
                long value = rs.getLong(1);
                if (rs.next()) {
                    throw new IllegalStateException("RETURNING gave more than one row");
                }
                return value;
            }
        }

        @Override
        public void close() throws Exception {
            try {
                for (PreparedStatement statement : List.of(upsertModerator, insertTimeout, selectModerator,
                        insertPattern, upsertError, insertNamespace)) {
                    statement.close();
                }
                connection.close();
            } finally {
                cleanup.run();
            }
        }
    }
}
