package dev.foundups.db;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link FoundupsDbBuilder#restore(Path)} restored.
 *
 * <p>From a sharded database's backup set, {@link #shards()} lists each archive restored and where it went:
 * {@code main}'s into the database {@code DATABASE_URL} names, each other shard's into its own database. All of them
 * are listed in the order they were restored; a set restored with
 * {@link BackupSetRestore#onlyShards(String...)} lists only those shards.
 *
 * @param backup   the backup file, or the folder of a set
 * @param url      the database restored into ({@code DATABASE_URL}), password masked: safe to print
 * @param bytes    the size of what was restored (of a set: its archives restored)
 * @param duration how long the restore took
 * @param shards   a set's shards restored, {@code main} first when it was; empty for a single-file backup
 */
public record RestoreResult(Path backup, String url, long bytes, Duration duration, List<ShardRestore> shards) {

    /** Copies the list: a result does not change. */
    public RestoreResult {
        shards = List.copyOf(Objects.requireNonNull(shards, "shards"));
    }

    /** @return whether a backup set (one archive per shard) was restored rather than one file */
    public boolean isSet() {
        return !shards.isEmpty();
    }

    /**
     * One shard's archive, restored.
     *
     * @param shard    the shard's name
     * @param url      the database it was restored into, password masked: safe to print
     * @param file     the archive
     * @param bytes    its size
     * @param duration how long its {@code pg_restore} took
     */
    public record ShardRestore(String shard, String url, Path file, long bytes, Duration duration) {
    }
}
