package dev.foundups.db.internal.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.BackupResult;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.RestoreResult;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * Online backup and safe restore, for either dialect.
 *
 * <ul>
 *   <li>SQLite: a copy of the database file made with SQLite's backup API from one consistent snapshot, while
 *       writers go on; restore copies it back as one transaction, only while nothing else has the file open.</li>
 *   <li>PostgreSQL: a {@code pg_dump} archive (custom format); restore runs {@code pg_restore} into an empty
 *       database. Both programs must be installed (Debian: {@code postgresql-client-15}).</li>
 * </ul>
 */
public final class DatabaseBackup {

    private DatabaseBackup() {
    }

    /**
     * Backs up an open database.
     *
     * @param url         the database
     * @param pool        its open pool
     * @param target      the backup file to create; must not exist
     * @param clientTools PostgreSQL: the folder of {@code pg_dump}, or null to search the PATH
     * @return what was written
     * @throws FoundupsDbException BACKUP when the target exists, the tool is missing, or the backup fails; a failed
     *                             backup leaves no file behind
     */
    public static BackupResult backup(DatabaseUrl url, HikariDataSource pool, Path target, Path clientTools) {
        long start = System.nanoTime();
        BackupFile file = BackupFile.at(target);
        try {
            long bytes = url.strategy().backup(url, pool, file, clientTools);
            return new BackupResult(file.target(), bytes, Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException | SQLException | RuntimeException e) {
            file.discard();
            throw e instanceof FoundupsDbException f ? f : new FoundupsDbException(ErrorCode.BACKUP, "backup of "
                    + url + " to " + file.target() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Restores a backup made by {@link #backup} (a single database's; a sharded database's set is restored by the
     * sharding package). On SQLite it replaces the database file's content, and is refused while any connection has
     * the file open; on PostgreSQL the database must be empty.
     *
     * @param url         the database to restore into
     * @param backup      the backup file
     * @param busyTimeout how long to wait for other connections before refusing
     * @param clientTools PostgreSQL: the folder of {@code pg_restore}, or null to search the PATH
     * @return what was restored
     * @throws FoundupsDbException BACKUP when the backup is not one, the database is in use or not empty, or the
     *                             restore fails; a failed restore leaves the database as it was
     */
    public static RestoreResult restore(DatabaseUrl url, Path backup, Duration busyTimeout, Path clientTools) {
        long start = System.nanoTime();
        Path source = backup.toAbsolutePath().normalize();
        try {
            url.strategy().restore(url, source, busyTimeout, clientTools);
            return new RestoreResult(source, url.toString(), Files.size(source),
                    Duration.ofNanos(System.nanoTime() - start), List.of());
        } catch (IOException | SQLException e) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "restore of " + url + " from " + source + " failed: "
                    + e.getMessage(), e);
        }
    }
}
