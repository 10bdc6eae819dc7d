package dev.foundups.db;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.naming.ShardName;
import dev.foundups.db.internal.sharding.SetRestoreOptions;
import dev.foundups.db.internal.sharding.ShardedRestore;

/**
 * The restore of a sharded database's backup set (written by {@link FoundupsDb#backup(Path)}), from
 * {@link FoundupsDbBuilder#restoreSet(Path)}: {@code main}'s archive, which holds the directory, goes into the
 * database the builder names ({@code DATABASE_URL}), and each other shard's archive into its own empty database:
 * the one the set's directory names for it (where it was backed up from), or the one given with
 * {@link #shardUrl(String, String)}, which the restored directory then names, so that the restored database opens
 * and routes to the new databases.
 *
 * <pre>
 * RestoreResult restored = FoundupsDb.configure()
 *         .databaseUrl("postgresql://fu:pw@db1:5432/restored")             // main, with the directory
 *         .restoreSet(Path.of("backups/2026-11-27"))
 *         .shardUrl("shard_2", "postgresql://fu:pw@db2:5432/restored")     // instead of the directory's URL
 *         .restore();
 * </pre>
 *
 * <p>{@link #restore()} checks everything before it writes anything anywhere: the manifest's version, that the set
 * is consistent (a set taken while a namespace or agent moved is refused unless {@link #allowInconsistent(boolean)}),
 * that every archive is there with the size the manifest recorded, and that every target can be reached, is a
 * database of its own and is empty. Then main's archive is restored and its directory pointed at the URLs given,
 * then the other shards, a few at a time. Each archive's {@code pg_restore} is one transaction: a shard that fails
 * leaves its database empty, the others go on, and the error names the shards restored and not restored;
 * {@link #onlyShards(String...)} then restores the rest. No message contains a password.
 */
public final class BackupSetRestore {

    private final DatabaseUrl mainUrl;
    private final Path folder;
    private final Duration busyTimeout;
    private final Path clientTools;
    private final Map<String, String> shardUrls = new LinkedHashMap<>();
    private Set<String> only = Set.of();
    private boolean allowInconsistent;

    BackupSetRestore(DatabaseUrl mainUrl, Path folder, Duration busyTimeout, Path clientTools) {
        this.mainUrl = mainUrl;
        this.folder = folder;
        this.busyTimeout = busyTimeout;
        this.clientTools = clientTools;
    }

    /**
     * The database a shard's archive goes into, instead of the one the set's directory names for it. The restored
     * directory is then pointed at this URL (password included, as {@link Shards#add} keeps it). Call it once per
     * shard that goes elsewhere; {@code main} goes to the builder's {@code databaseUrl}.
     *
     * @param shard a shard of the set, not {@code main}
     * @param url   an empty PostgreSQL database, in any form {@code DATABASE_URL} accepts
     * @return this restore
     * @throws FoundupsDbException INVALID_NAME for a name no shard can have; CONFIGURATION for {@code main}, or a URL
     *                             that is not a PostgreSQL one (the message masks its password)
     */
    public BackupSetRestore shardUrl(String shard, String url) {
        SetRestoreOptions.checkShardUrl(shard, url);
        shardUrls.put(shard, url);
        return this;
    }

    /**
     * Restores only these shards' archives: to finish a restore that failed on some (its error names them), with the
     * same {@link #shardUrl} settings. Without {@code main}, the builder's database must hold the set's directory,
     * restored by the earlier run; the URLs given are written to it first. Default: every shard.
     *
     * @param shards shards of the set
     * @return this restore
     * @throws FoundupsDbException INVALID_NAME for a name no shard can have
     */
    public BackupSetRestore onlyShards(String... shards) {
        Set<String> names = new TreeSet<>();
        for (String shard : List.of(shards)) {
            names.add(ShardName.validate(shard));
        }
        this.only = names;
        return this;
    }

    /**
     * Whether a set that is not consistent (a namespace or agent moved between shards while it was taken, see
     * {@link BackupResult#consistent()}) may be restored. Default false: it is refused, naming what moved. Allowed,
     * what moved may come back missing or stale: its directory entry and its tables come from snapshots taken on
     * either side of the move.
     *
     * @param allowed true to restore such a set
     * @return this restore
     */
    public BackupSetRestore allowInconsistent(boolean allowed) {
        this.allowInconsistent = allowed;
        return this;
    }

    /**
     * Runs the restore. The targets need no {@code FoundupsDb} closed: they must be empty databases, not in use.
     *
     * @return each shard restored: its target (masked URL), archive, size and time, {@code main} first
     * @throws FoundupsDbException BACKUP when refused (the set is damaged, of an unknown version or inconsistent, or a
     *                             target holds tables: nothing was written anywhere) or when a shard's restore failed
     *                             (the message names the shards restored and those to retry); CONFIGURATION for a
     *                             setting that does not fit the set (a shard it does not hold, two shards into one
     *                             database); DB_CONNECTION when a target cannot be reached (nothing was written)
     */
    public RestoreResult restore() {
        return ShardedRestore.restore(mainUrl, folder, new SetRestoreOptions(shardUrls, only, allowInconsistent,
                busyTimeout, clientTools));
    }

    @Override
    public String toString() {
        return "BackupSetRestore[" + folder + " into " + mainUrl + ", shards " + (only.isEmpty() ? "all" : only)
                + ", shards given a URL " + shardUrls.keySet() + "]";
    }
}
