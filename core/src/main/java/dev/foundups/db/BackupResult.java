package dev.foundups.db;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@link FoundupsDb#backup(Path)} wrote.
 *
 * @param file     the backup file: on SQLite a database file, on PostgreSQL a {@code pg_dump} archive (custom format)
 * @param bytes    its size
 * @param duration how long the backup took
 */
public record BackupResult(Path file, long bytes, Duration duration) {
}
