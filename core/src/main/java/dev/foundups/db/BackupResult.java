package dev.foundups.db;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What {@link FoundupsDb#backup(Path)} wrote.
 *
 * <p>On a sharded database the backup is a <em>set</em>: {@code file} is a folder holding one {@code pg_dump}
 * archive per shard and a {@code manifest.json}; {@link #shards()} lists the archives. Each archive is one consistent
 * snapshot of its shard, but the snapshots are taken one after another (seconds apart on a large database). The set
 * is {@link #consistent()} when no namespace or agent moved between shards while it was taken: then every namespace
 * and agent is in exactly one archive, at the state of that archive's snapshot. Otherwise
 * {@link #inconsistencies()} names the placements affected, and the backup should be taken again.
 *
 * @param file            the backup: on SQLite a database file, on PostgreSQL a {@code pg_dump} archive (custom
 *                        format), on a sharded database the folder of the set
 * @param bytes           its size (of a set: its archives and manifest together)
 * @param duration        how long the backup took
 * @param shards          a set's archives, {@code main} first; empty for a single-file backup
 * @param inconsistencies a set's placements that moved (or were being moved) while it was taken, one sentence
 *                        each; empty when consistent, and for a single-file backup
 */
public record BackupResult(Path file, long bytes, Duration duration, List<ShardArchive> shards,
                           List<String> inconsistencies) {

    /** Copies the lists: a result does not change. */
    public BackupResult {
        shards = List.copyOf(Objects.requireNonNull(shards, "shards"));
        inconsistencies = List.copyOf(Objects.requireNonNull(inconsistencies, "inconsistencies"));
    }

    /**
     * A single-file backup.
     *
     * @param file     the backup file
     * @param bytes    its size
     * @param duration how long the backup took
     */
    public BackupResult(Path file, long bytes, Duration duration) {
        this(file, bytes, duration, List.of(), List.of());
    }

    /** @return whether this is a set of per-shard archives (a sharded database) rather than one file */
    public boolean isSet() {
        return !shards.isEmpty();
    }

    /** @return true unless a set was taken while a namespace or agent moved between shards */
    public boolean consistent() {
        return inconsistencies.isEmpty();
    }

    /**
     * One shard's archive in a backup set.
     *
     * @param shard      the shard's name
     * @param url        its URL with the password masked: safe to print
     * @param file       the {@code pg_dump} archive (custom format); {@link FoundupsDbBuilder#restoreSet(Path)}
     *                   restores the set, each archive into an empty database for its shard
     * @param bytes      its size
     * @param snapshotAt when its dump started; {@code pg_dump} takes its snapshot as it connects
     */
    public record ShardArchive(String shard, String url, Path file, long bytes, Instant snapshotAt) {
    }
}
