package dev.foundups.db.internal.migration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.schema.SchemaLayout;
import liquibase.ChecksumVersion;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.UpdateSummaryEnum;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.FastCheckService;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.DatabaseList;
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

    /** The shared changelog's row in {@code foundupsdb_fingerprints}. */
    static final String SHARED = "shared";
    private static final String TEMPLATES = "db/foundups/templates/";

    private SharedSchema() {
    }

    /**
     * Applies every pending changeset of {@link SchemaLayout#SHARED_CHANGELOG}.
     *
     * <p>First, without loading Liquibase at all: when the changelog files and the DATABASECHANGELOG rows have the
     * fingerprint stored in {@code foundupsdb_fingerprints} when they were last applied, nothing is pending.
     *
     * <p>Otherwise, when the database's DATABASECHANGELOG already records every changeset of the changelog with its
     * current checksum, Liquibase's update is not started at all: it would find nothing to run, and its change log lock,
     * history service, table snapshots and validation are most of what opening a database costs apart from
     * connecting. The changelog is still parsed, so a new or edited changeset (or a table that lost its rows) takes
     * the full path, where Liquibase applies it or reports it exactly as before.
     *
     * @param dataSource the database
     * @param loader     where the changelogs are
     * @return true when Liquibase ran; false when every changeset was recorded as applied already
     * @throws FoundupsDbException (MIGRATION) when Liquibase fails
     */
    public static boolean update(DataSource dataSource, ClassLoader loader) {
        Optional<SchemaFiles> scanned = SchemaFiles.scan(loader);
        return update(dataSource, loader, () -> scanned);
    }

    /**
     * {@link #update(DataSource, ClassLoader)} with the changelog files read already (or being read).
     *
     * @param dataSource the database
     * @param loader     where the changelogs are
     * @param files      the files {@link SchemaFiles#scan} reads from {@code loader}
     * @return true when Liquibase ran
     * @throws FoundupsDbException (MIGRATION) when Liquibase fails
     */
    public static boolean update(DataSource dataSource, ClassLoader loader, Supplier<Optional<SchemaFiles>> files) {
        String fingerprint;
        boolean ran;
        try (Connection connection = dataSource.getConnection()) {
            boolean staleLock = hasStaleLock(connection);
            // Read before Liquibase takes the connection out of auto-commit: on PostgreSQL a failed query (no such
            // table yet) would abort its transaction.
            Map<String, String> recorded = recordedChangeSets(connection);
            fingerprint = fingerprint(files.get(), recorded);
            if (!staleLock && fingerprint != null && fingerprint.equals(storedFingerprint(connection))) {
                LOG.debug("Shared changelog up to date: its files and DATABASECHANGELOG match the stored fingerprint");
                return false;
            }
            ran = liquibaseUpdate(connection, loader, staleLock, recorded);
            if (ran) {
                fingerprint = fingerprint(files.get(), recordedChangeSets(connection)); // the files did not change
            }
        } catch (FoundupsDbException e) {
            throw e;
        } catch (Exception e) {
            throw new FoundupsDbException(ErrorCode.MIGRATION, "cannot bring the shared tables (agents_*, catalog) "
                    + "up to date from " + SchemaLayout.SHARED_CHANGELOG + ": " + rootMessage(e), e);
        }
        storeFingerprint(dataSource, fingerprint);
        return ran;
    }

    /** Liquibase's part: its check of what is recorded, then its update when that finds anything to run. */
    private static boolean liquibaseUpdate(Connection connection, ClassLoader loader, boolean staleLock,
                                           Map<String, String> recorded) throws Exception {
        Database database = DatabaseFactory.getInstance()
                .findCorrectDatabaseImplementation(new JdbcConnection(connection));
        return LiquibaseScope.call(Map.of(), () -> {
            // Its JVM-wide "up to date" cache is keyed by URL only: a database recreated at the same path
            // (or restored from a backup) would be skipped.
            Scope.getCurrentScope().getSingleton(FastCheckService.class).clearCache();
            Liquibase liquibase = new Liquibase(SchemaLayout.SHARED_CHANGELOG,
                    new ClassLoaderResourceAccessor(loader), database);
            if (!staleLock && recorded != null
                    && allRecorded(recorded, liquibase.getDatabaseChangeLog(), database)) {
                LOG.debug("Shared changelog up to date: every changeset is recorded with its checksum");
                return false;
            }
            liquibase.setShowSummary(UpdateSummaryEnum.OFF);
            if (staleLock) {
                LOG.warn("Releasing a Liquibase change log lock left behind by a process that died mid-update");
                liquibase.forceReleaseLocks();
            }
            liquibase.update(new Contexts(), new LabelExpression());
            return true;
        });
    }

    /**
     * The shared changelog's fingerprint: its files (everything under {@code db/foundups/} but the templates) and
     * what DATABASECHANGELOG records, so an edited or deleted row takes the full path as well.
     *
     * @return hex SHA-256, or null when the files cannot be listed or nothing is recorded
     */
    static String fingerprint(Optional<SchemaFiles> scanned, Map<String, String> recorded) {
        if (recorded == null || recorded.isEmpty()) {
            return null;
        }
        return scanned.map(files -> files.fingerprint(new TreeMap<>(recorded).toString(),
                path -> !path.startsWith(TEMPLATES))).orElse(null);
    }

    private static String storedFingerprint(Connection connection) {
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT fingerprint FROM foundupsdb_fingerprints WHERE name = ?")) {
            st.setString(1, SHARED);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException noTableYet) {
            return null;
        }
    }

    /** Records the fingerprint once the shared changelog is known to be applied; failing to only costs time. */
    private static void storeFingerprint(DataSource dataSource, String fingerprint) {
        if (fingerprint == null) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement st = connection.prepareStatement("INSERT INTO foundupsdb_fingerprints "
                     + "(name, fingerprint) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET fingerprint = ?")) {
            connection.setAutoCommit(true);
            st.setString(1, SHARED);
            st.setString(2, fingerprint);
            st.setString(3, fingerprint);
            st.executeUpdate();
        } catch (SQLException e) {
            LOG.debug("Cannot record the shared changelog's fingerprint; the next open checks with Liquibase", e);
        }
    }

    /**
     * Whether Liquibase's update would run nothing: every changeset it would consider (this database's dbms, not
     * ignored; the library passes no contexts or labels, so those filter nothing) is recorded under its file, id
     * and author with the checksum it has now, none is {@code runAlways} and none appears twice. Anything else,
     * such as a checksum recorded by another checksum version, answers false: the full update decides.
     */
    static boolean allRecorded(Map<String, String> recorded, DatabaseChangeLog changeLog, Database database) {
        Set<String> seen = new HashSet<>();
        for (ChangeSet changeSet : changeLog.getChangeSets()) {
            String key = key(changeSet.getFilePath(), changeSet.getId(), changeSet.getAuthor());
            if (changeSet.isAlwaysRun() || !seen.add(key)) {
                return false; // runs every time; or a duplicate, which Liquibase's validation reports
            }
            if (changeSet.isIgnore() || !DatabaseList.definitionMatches(changeSet.getDbmsSet(), database, true)) {
                continue; // Liquibase skips it without recording it
            }
            String checksum = recorded.get(key);
            if (checksum == null
                    || !checksum.equals(changeSet.generateCheckSum(ChecksumVersion.latest()).toString())) {
                return false;
            }
        }
        return true;
    }

    /** @return file::id::author to checksum of each changeset DATABASECHANGELOG records, or null without one */
    private static Map<String, String> recordedChangeSets(Connection connection) {
        Map<String, String> recorded = new HashMap<>();
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT filename, id, author, md5sum FROM databasechangelog");
             ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                recorded.put(key(rs.getString(1), rs.getString(2), rs.getString(3)), rs.getString(4));
            }
            return recorded;
        } catch (SQLException noChangeLogTableYet) {
            return null;
        }
    }

    private static String key(String file, String id, String author) {
        String path = String.valueOf(file).replace('\\', '/');
        if (path.startsWith("classpath:")) {
            path = path.substring("classpath:".length());
        }
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        return path + "::" + id + "::" + author;
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
