package dev.foundups.db.internal.sharding;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.RestoreResult;
import dev.foundups.db.RestoreResult.ShardRestore;
import dev.foundups.db.internal.backup.PostgresBackup;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * The restore of a sharded database's backup set: main's archive into {@code DATABASE_URL}, each other shard's into
 * its own empty database. Everything that can be checked is checked first, for every shard ({@link RestorePlan}).
 * Then main's archive goes first, alone: it holds the directory, which is pointed at the new databases the user named
 * before any other shard is restored, so the restored cluster never routes to the databases the set was taken from.
 * The other shards are restored in parallel, a few at a time. Each archive's {@code pg_restore} is one transaction:
 * a shard that fails leaves its target empty, and the report names the shards restored and those to retry (with
 * {@link SetRestoreOptions#only()}).
 */
public final class ShardedRestore {

    /** Called after each shard's archive is restored, with the shard's name; tests make a later shard fail there. */
    static volatile Consumer<String> afterShard = shard -> { };

    /** Most {@code pg_restore} programs at once: each is one server process and one client process. */
    private static final int PARALLEL = 4;

    private ShardedRestore() {
    }

    /**
     * Restores a set.
     *
     * @param mainUrl the database {@code DATABASE_URL} names: main's archive goes there
     * @param folder  the set's folder
     * @param options the restore's settings
     * @return each shard restored: where to, its size and time
     * @throws FoundupsDbException BACKUP when refused (nothing was written) or when a shard failed (the message
     *                             names the shards restored and how to retry the others); CONFIGURATION for a setting
     *                             that does not fit the set; DB_CONNECTION when a target cannot be reached
     */
    public static RestoreResult restore(DatabaseUrl mainUrl, Path folder, SetRestoreOptions options) {
        long start = System.nanoTime();
        Path set = folder.toAbsolutePath().normalize();
        try (RestorePlan plan = RestorePlan.check(mainUrl, set, options)) {
            List<ShardRestore> done = new ArrayList<>();
            if (plan.restoresMain()) {
                try {
                    done.add(restore(plan.main(), options));
                } catch (RuntimeException e) {
                    throw failed(plan, done, Map.of(Directory.MAIN, reason(e)), "", e);
                }
                afterShard.accept(Directory.MAIN);
            }
            try {
                pointDirectory(plan);
            } catch (RuntimeException e) {
                throw failed(plan, done, Map.of(), " The directory in the database DATABASE_URL names could not be "
                        + "pointed at the URLs given for the shards (" + reason(e) + ").", e);
            }
            Map<String, String> failures = restoreOthers(plan, options, done);
            if (!failures.isEmpty()) {
                throw failed(plan, done, failures, "", null);
            }
            long bytes = done.stream().mapToLong(ShardRestore::bytes).sum();
            return new RestoreResult(set, mainUrl.toString(), bytes, Duration.ofNanos(System.nanoTime() - start),
                    done);
        } catch (IOException e) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "cannot read the backup set " + set + ": "
                    + DatabaseUrl.mask(String.valueOf(e.getMessage())) + "; nothing was restored", e);
        }
    }

    /** The shards other than main, at most {@link #PARALLEL} at once; every one is tried, whatever the others do. */
    private static Map<String, String> restoreOthers(RestorePlan plan, SetRestoreOptions options,
                                                     List<ShardRestore> done) {
        Map<String, String> failures = new LinkedHashMap<>();
        if (plan.shards().isEmpty()) {
            return failures;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL, plan.shards().size()), r -> {
            Thread t = new Thread(r, "foundups-db-restore");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<ShardRestore>> running = new LinkedHashMap<>();
            for (RestorePlan.Target target : plan.shards()) {
                running.put(target.shard(), pool.submit(() -> {
                    ShardRestore restored = restore(target, options);
                    afterShard.accept(target.shard());
                    return restored;
                }));
            }
            for (Map.Entry<String, Future<ShardRestore>> e : running.entrySet()) {
                try {
                    done.add(e.getValue().get());
                } catch (ExecutionException failed) {
                    failures.put(e.getKey(), reason(failed.getCause()));
                }
            }
        } catch (InterruptedException e) {
            // Stopping the pool interrupts each pg_restore's thread, which stops the program: its transaction
            // rolls back, so the shards not yet done stay empty.
            pool.shutdownNow();
            Thread.currentThread().interrupt();
            for (RestorePlan.Target target : plan.shards()) {
                if (done.stream().noneMatch(d -> d.shard().equals(target.shard()))) {
                    failures.putIfAbsent(target.shard(), "interrupted");
                }
            }
        } finally {
            pool.shutdown();
        }
        return failures;
    }

    private static ShardRestore restore(RestorePlan.Target target, SetRestoreOptions options) {
        long start = System.nanoTime();
        try {
            PostgresBackup.restore(target.url(), target.pool(), target.archive(), options.clientTools());
        } catch (IOException e) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "cannot restore " + target.archive() + ": " + e, e);
        }
        return new ShardRestore(target.shard(), target.url().toString(), target.archive(), target.bytes(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** Writes the URLs the user gave into main's restored directory: the cluster then opens on the new databases. */
    private static void pointDirectory(RestorePlan plan) {
        if (plan.directoryUrls().isEmpty()) {
            return;
        }
        Directory directory = new Directory(DSL.using(plan.main().pool(), SQLDialect.POSTGRES));
        plan.directoryUrls().forEach((shard, url) -> {
            if (!directory.setShardUrl(shard, url)) {
                throw new FoundupsDbException(ErrorCode.BACKUP, "the restored directory has no shard '" + shard
                        + "'");
            }
        });
    }

    /**
     * @param failures shard to why it was not restored
     * @param more     a sentence on what else went wrong, or empty
     * @return the error that says which shards were restored, which not, and how to retry those
     */
    private static FoundupsDbException failed(RestorePlan plan, List<ShardRestore> done, Map<String, String> failures,
                                              String more, Throwable cause) {
        List<String> restored = done.stream().map(ShardRestore::shard).toList();
        List<String> retry = new ArrayList<>();
        List<String> notRestored = new ArrayList<>();
        List<String> all = new ArrayList<>();
        if (plan.restoresMain()) {
            all.add(Directory.MAIN);
        }
        plan.shards().forEach(t -> all.add(t.shard()));
        for (String shard : all) {
            if (!restored.contains(shard)) {
                retry.add(shard);
                notRestored.add(shard + " (" + failures.getOrDefault(shard, "not started") + ")");
            }
        }
        StringBuilder m = new StringBuilder("restore of the backup set ").append(plan.folder()).append(" stopped: ");
        m.append(restored.isEmpty() ? "nothing was restored" : "restored " + String.join(", ", restored));
        m.append("; NOT restored: ").append(String.join("; ", notRestored)).append('.').append(more);
        m.append(" Each shard's restore is one transaction: the targets of the shards not restored are still empty.");
        if (restored.isEmpty()) {
            m.append(" Fix the cause and run the same restore again.");
        } else {
            String names = String.join(",", retry);
            m.append(" Fix the cause (or give those shards new empty databases with shardUrl, --shard-url), then "
                    + "restore only them, with the same settings otherwise: onlyShards(\"")
                    .append(String.join("\", \"", retry)).append("\") (foundups-db restore SET --only-shard ")
                    .append(names).append("). Do not restore ").append(String.join(", ", restored))
                    .append(" again: their databases hold the set's data now.");
        }
        return new FoundupsDbException(ErrorCode.BACKUP, m.toString(), cause);
    }

    private static String reason(Throwable e) {
        return DatabaseUrl.mask(String.valueOf(e.getMessage()));
    }
}
