package dev.foundups.db.internal.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * PostgreSQL backup is {@code pg_dump}: one archive (custom format) of the database, read in one snapshot, so it
 * holds every transaction committed before it began and none half-way. Restore is {@code pg_restore} into an
 * empty database, in one transaction.
 */
public final class PostgresBackup {

    private PostgresBackup() {
    }

    public static long backup(DatabaseUrl url, Path clientTools, BackupFile file) throws IOException {
        PostgresClient pgDump = PostgresClient.find("pg_dump", clientTools, url, "backup");
        try {
            pgDump.run(List.of("--format=custom", "--no-password", "--file=" + file.partial()));
        } catch (FoundupsDbException e) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "cannot back up PostgreSQL database '"
                    + pgDump.database() + "' to " + file.target() + ": " + e.getMessage(), e);
        }
        return file.publish();
    }

    /**
     * Restores an archive into an empty database. A database that already has tables is refused: pg_restore
     * replaces the objects in the archive but leaves any created after the backup (a FoundUp's tables, say), and
     * the catalog would then disagree with the tables.
     */
    public static void restore(DatabaseUrl url, DataSource target, Path backup, Path clientTools) throws IOException {
        if (!Files.isRegularFile(backup)) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "backup file " + backup + " does not exist or is not a "
                    + "file");
        }
        PostgresClient pgRestore = PostgresClient.find("pg_restore", clientTools, url, "restore");
        int tables = tableCount(target);
        if (tables > 0) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "cannot restore into PostgreSQL database '"
                    + pgRestore.database() + "': it has " + tables + " table(s). Restore into a new, empty database "
                    + "(createdb NAME, then point DATABASE_URL at it); tables created after the backup would "
                    + "otherwise survive the restore and disagree with its catalog");
        }
        try {
            pgRestore.run(List.of("--no-password", "--no-owner", "--no-privileges", "--single-transaction",
                    "--exit-on-error", "--dbname=" + pgRestore.database(), backup.toString()));
        } catch (FoundupsDbException e) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "cannot restore " + backup + " into PostgreSQL database '"
                    + pgRestore.database() + "' (nothing was changed: one transaction): " + e.getMessage(), e);
        }
    }

    /**
     * @param target a PostgreSQL database
     * @return how many tables its current schema holds: a restore target must have none
     * @throws FoundupsDbException DB_CONNECTION when it cannot be read
     */
    public static int tableCount(DataSource target) {
        try (Connection connection = target.getConnection();
             PreparedStatement st = connection.prepareStatement(
                     "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                             + "AND table_type = ?")) {
            st.setString(1, "BASE TABLE");
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot read the restore target's tables: "
                    + e.getMessage(), e);
        }
    }
}
