package dev.foundups.db.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.schema.SchemaLayout;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.UpdateSummaryEnum;
import liquibase.changelog.FastCheckService;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;

/**
 * Brings the shared tables (namespace catalog and {@code agents_*}) up to date with the real Liquibase.
 *
 * <p>Call it while holding the {@link MigrationLock}. Because every FoundUps DB process takes that lock first, a
 * DATABASECHANGELOGLOCK row still marked locked can only belong to a process that died mid-update, and is released
 * here instead of making this start wait five minutes and fail.
 */
public final class SharedSchema {

    private static final Logger LOG = LoggerFactory.getLogger(SharedSchema.class);

    private SharedSchema() {
    }

    /**
     * Applies every pending changeset of {@link SchemaLayout#SHARED_CHANGELOG}.
     *
     * @param dataSource the database
     * @param loader     where the changelogs are
     * @throws FoundupsDbException (MIGRATION) when Liquibase fails
     */
    public static void update(DataSource dataSource, ClassLoader loader) {
        try (Connection connection = dataSource.getConnection()) {
            boolean staleLock = hasStaleLock(connection);
            Database database = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            LiquibaseScope.call(Map.of(), () -> {
                // Its JVM-wide "up to date" cache is keyed by URL only: a database recreated at the same path
                // (or restored from a backup) would be skipped.
                Scope.getCurrentScope().getSingleton(FastCheckService.class).clearCache();
                Liquibase liquibase = new Liquibase(SchemaLayout.SHARED_CHANGELOG,
                        new ClassLoaderResourceAccessor(loader), database);
                liquibase.setShowSummary(UpdateSummaryEnum.OFF);
                if (staleLock) {
                    LOG.warn("Releasing a Liquibase change log lock left behind by a process that died mid-update");
                    liquibase.forceReleaseLocks();
                }
                liquibase.update(new Contexts(), new LabelExpression());
                return null;
            });
        } catch (FoundupsDbException e) {
            throw e;
        } catch (Exception e) {
            throw new FoundupsDbException(ErrorCode.MIGRATION, "cannot bring the shared tables (agents_*, catalog) "
                    + "up to date from " + SchemaLayout.SHARED_CHANGELOG + ": " + rootMessage(e), e);
        }
    }

    private static boolean hasStaleLock(Connection connection) {
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT COUNT(*) FROM databasechangeloglock WHERE locked = ?")) {
            st.setBoolean(1, true);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() && rs.getInt(1) > 0;
            }
        } catch (SQLException noLockTableYet) {
            return false;
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
