package dev.foundups.db.internal.sharding;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_SHARDS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.backup.BackupFolder;
import dev.foundups.db.internal.backup.PostgresArchive;
import dev.foundups.db.internal.backup.PostgresBackup;
import dev.foundups.db.internal.config.DataSources;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.naming.ShardName;

/**
 * What a backup set's restore checks before it writes anything anywhere, and where each archive goes. Every check
 * that can fail does so here, for every shard, so that a refused restore leaves every database as it was: the
 * manifest's version and consistency, each archive's presence and size, each target's URL, that every target can be
 * reached, is its own database, and is empty.
 *
 * <p>A shard's target is the URL its restore was given, else the one the set's own directory holds for it: read out
 * of main's archive (the manifest masks passwords), or, when main is not restored in this run (a retry of some
 * shards), out of the directory main's restore already put into {@code DATABASE_URL}.
 *
 * @param folder        the set's folder
 * @param main          main's target: {@code DATABASE_URL}, which holds (or will hold) the directory
 * @param restoresMain  whether main's archive is restored in this run
 * @param shards        the other shards restored in this run, in the manifest's order
 * @param directoryUrls shard name to the URL the restored directory must name (those the user gave)
 * @param pools         the targets' pools, closed with the plan
 */
record RestorePlan(Path folder, RestorePlan.Target main, boolean restoresMain, List<RestorePlan.Target> shards,
                   Map<String, String> directoryUrls, List<AutoCloseable> pools) implements AutoCloseable {

    /**
     * An archive to restore and the database it goes to.
     *
     * @param fromDirectory whether the URL is the set's directory's (where the shard was backed up from) rather
     *                      than one the user gave
     */
    record Target(String shard, DatabaseUrl url, boolean fromDirectory, Path archive, long bytes,
                  HikariDataSource pool) {
    }

    /**
     * Runs every check.
     *
     * @param mainUrl the database {@code DATABASE_URL} names: main's target
     * @param folder  the set's folder
     * @param options the restore's settings
     * @return the plan, holding a small pool per target; close it
     * @throws FoundupsDbException BACKUP when the set or a target is not fit (nothing was written anywhere);
     *                             CONFIGURATION for a setting that does not fit the set; DB_CONNECTION when a target
     *                             cannot be reached
     */
    static RestorePlan check(DatabaseUrl mainUrl, Path folder, SetRestoreOptions options) throws IOException {
        mainUrl.strategy().requirePostgres("DATABASE_URL (" + mainUrl + ")", "a backup set of a sharded database "
                + "restores into PostgreSQL databases: set DATABASE_URL to the one main's archive goes to");
        BackupManifest.Contents manifest = BackupManifest.read(folder.resolve(BackupFolder.MANIFEST));
        Map<String, BackupManifest.Entry> entries = entries(folder, manifest);
        known(options.only(), entries.keySet(), "onlyShards (--only-shard)");
        known(options.shardUrls().keySet(), entries.keySet(), "shardUrl (--shard-url)");
        if (!manifest.consistent() && !options.allowInconsistent()) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "the backup set " + folder + " is not consistent: "
                    + String.join("; ", manifest.inconsistencies()) + ". Restored, such a namespace or agent may be "
                    + "missing or stale, as its directory entry and its tables come from snapshots taken on either "
                    + "side of the move. Restore a backup taken while no move or drain ran; to restore this one "
                    + "anyway, allow it with allowInconsistent(true) (--allow-inconsistent). Nothing was restored");
        }
        Set<String> restoring = options.only().isEmpty() ? entries.keySet() : options.only();
        boolean restoresMain = restoring.contains(Directory.MAIN);
        // The files first: a missing or truncated archive is found before any database is touched.
        Map<String, Path> archives = new LinkedHashMap<>();
        for (BackupManifest.Entry entry : entries.values()) {
            if (restoring.contains(entry.shard())) {
                archives.put(entry.shard(), archive(folder, entry));
            }
        }
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            BackupManifest.Entry mainEntry = entries.get(Directory.MAIN);
            Target main = new Target(Directory.MAIN, mainUrl, false,
                    archives.getOrDefault(Directory.MAIN, folder.resolve(mainEntry.file())), mainEntry.bytes(),
                    connect(Directory.MAIN, mainUrl, options, opened));
            Map<String, String> directory = restoresMain ? archiveDirectory(main.archive(), options)
                    : restoredDirectory(main, entries.keySet());
            List<Target> shards = new ArrayList<>();
            for (BackupManifest.Entry entry : entries.values()) {
                if (entry.shard().equals(Directory.MAIN) || !restoring.contains(entry.shard())) {
                    continue;
                }
                String given = options.shardUrls().get(entry.shard());
                DatabaseUrl url = target(entry.shard(), given, directory);
                shards.add(new Target(entry.shard(), url, given == null, archives.get(entry.shard()), entry.bytes(),
                        connect(entry.shard(), url, options, opened)));
            }
            List<Target> restored = new ArrayList<>(shards);
            if (restoresMain) {
                restored.add(0, main);
            }
            distinct(main, shards);
            empty(restored);
            return new RestorePlan(folder, main, restoresMain, List.copyOf(shards), options.shardUrls(), opened);
        } catch (IOException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    /** Closes the targets' pools. */
    @Override
    public void close() {
        closeAll(pools);
    }

    /** @return the manifest's archives by shard name, main first, each name valid and present once */
    private static Map<String, BackupManifest.Entry> entries(Path folder, BackupManifest.Contents manifest) {
        Map<String, BackupManifest.Entry> entries = new LinkedHashMap<>();
        for (BackupManifest.Entry e : manifest.shards()) {
            try {
                ShardName.validate(e.shard());
            } catch (FoundupsDbException bad) {
                throw new FoundupsDbException(ErrorCode.BACKUP, "the manifest of backup set " + folder + " names a "
                        + "shard that cannot exist: " + bad.getMessage(), bad);
            }
            if (entries.put(e.shard(), e) != null) {
                throw new FoundupsDbException(ErrorCode.BACKUP, "the manifest of backup set " + folder + " names "
                        + "shard '" + e.shard() + "' twice: the set is damaged");
            }
        }
        if (!entries.containsKey(Directory.MAIN)) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "the manifest of backup set " + folder + " has no archive "
                    + "of shard 'main', which holds the directory: the set is damaged");
        }
        return entries;
    }

    /** A setting that names a shard the set does not hold is a mistake: refused, listing the set's shards. */
    private static void known(Set<String> named, Set<String> shards, String setting) {
        for (String name : named) {
            if (!shards.contains(name)) {
                throw new FoundupsDbException(ErrorCode.CONFIGURATION, setting + " names shard '" + name + "', which "
                        + "the backup set does not hold; it holds " + String.join(", ", shards));
            }
        }
    }

    /** @return the archive, checked: in the set's folder, a file, of the size the manifest recorded */
    private static Path archive(Path folder, BackupManifest.Entry entry) throws IOException {
        Path file = folder.resolve(entry.file()).normalize();
        String which = "archive " + entry.file() + " of shard '" + entry.shard() + "'";
        if (!folder.equals(file.getParent())) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "the manifest of backup set " + folder + " names " + which
                    + " outside the set's folder: the set is damaged; nothing was restored");
        }
        if (!Files.isRegularFile(file)) {
            throw new FoundupsDbException(ErrorCode.BACKUP, which + " is missing from the backup set " + folder
                    + ": the set is incomplete; nothing was restored");
        }
        long size = Files.size(file);
        if (size != entry.bytes()) {
            throw new FoundupsDbException(ErrorCode.BACKUP, which + " in the backup set " + folder + " has " + size
                    + " bytes where the manifest records " + entry.bytes() + ": it was truncated or changed since "
                    + "the backup; nothing was restored");
        }
        return file;
    }

    /** @return shard name to URL, as the directory in main's archive holds them (main's own is empty) */
    private static Map<String, String> archiveDirectory(Path mainArchive, SetRestoreOptions options)
            throws IOException {
        Map<String, String> urls = new HashMap<>();
        for (Map<String, String> row : PostgresArchive.rows(mainArchive, FOUNDUPSDB_SHARDS.getName(),
                options.clientTools())) {
            urls.put(row.get(FOUNDUPSDB_SHARDS.NAME.getName()), row.get(FOUNDUPSDB_SHARDS.URL.getName()));
        }
        return urls;
    }

    /**
     * A run that leaves main out continues an earlier one: {@code DATABASE_URL} must hold the directory of this set,
     * restored then.
     *
     * @return shard name to URL, as that directory holds them
     */
    private static Map<String, String> restoredDirectory(Target main, Set<String> shards) {
        Map<String, String> urls = new HashMap<>();
        try {
            new Directory(DSL.using(main.pool(), SQLDialect.POSTGRES)).shards()
                    .forEach(row -> urls.put(row.name(), row.url()));
        } catch (DataAccessException noDirectory) {
            urls.clear();
        }
        if (!urls.keySet().equals(shards)) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "the database DATABASE_URL names (" + main.url() + ") "
                    + "does not hold this backup set's directory (shards " + String.join(", ", new TreeSet<>(shards))
                    + "), which a restore of some shards only needs: restore main's archive first (include 'main' "
                    + "in onlyShards (--only-shard), or leave it out to restore every shard)");
        }
        return urls;
    }

    /** @return the shard's target: the URL given for it, else the directory's */
    private static DatabaseUrl target(String shard, String given, Map<String, String> directory) {
        if (given != null) {
            return SetRestoreOptions.checkShardUrl(shard, given);
        }
        String url = directory.get(shard);
        if (url == null || url.isBlank()) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "the backup set's directory holds no URL for shard '"
                    + shard + "': name the database to restore it into with shardUrl(\"" + shard
                    + "\", URL) (--shard-url " + shard + "=URL); nothing was restored");
        }
        DatabaseUrl parsed = DatabaseUrl.parse(url, "the URL of shard '" + shard + "' in the backup's directory");
        parsed.strategy().requirePostgres(ErrorCode.BACKUP, "the URL of shard '" + shard + "' in the backup's "
                + "directory", "name a PostgreSQL database for the shard with shardUrl(\"" + shard + "\", URL) "
                + "(--shard-url " + shard + "=URL); nothing was restored");
        return parsed;
    }

    private static HikariDataSource connect(String shard, DatabaseUrl url, SetRestoreOptions options,
                                            List<AutoCloseable> opened) {
        try {
            HikariDataSource pool = DataSources.open(url, 2, options.busyTimeout(), 0);
            opened.add(pool);
            return pool;
        } catch (FoundupsDbException e) {
            String which = Directory.MAIN.equals(shard) ? "the database DATABASE_URL names" : "the restore target of "
                    + "shard '" + shard + "'";
            throw new FoundupsDbException(e.errorCode(), "cannot reach " + which + ": " + e.getMessage()
                    + "; nothing was restored", e);
        }
    }

    /** Two shards restored into one database would mix their tables; the identity is name, port and start time. */
    private static void distinct(Target main, List<Target> shards) {
        Map<List<Object>, String> seen = new HashMap<>();
        List<Target> all = new ArrayList<>(shards);
        all.add(0, main);
        for (Target t : all) {
            List<Object> identity = Arrays.asList(DSL.using(t.pool(), SQLDialect.POSTGRES)
                    .fetchOne(ShardAdmin.IDENTITY).intoArray());
            String other = seen.putIfAbsent(identity, t.shard());
            if (other != null) {
                throw new FoundupsDbException(ErrorCode.CONFIGURATION, "shard '" + t.shard() + "' would be restored "
                        + "into " + t.url() + ", the database of shard '" + other + "'"
                        + (Directory.MAIN.equals(other) ? " (DATABASE_URL)" : "") + ": give each shard a database of "
                        + "its own (shardUrl, --shard-url " + t.shard() + "=URL); nothing was restored");
            }
        }
    }

    /** Every target is checked before any is written, and all those that hold tables are named at once. */
    private static void empty(List<Target> targets) {
        List<String> full = new ArrayList<>();
        for (Target t : targets) {
            int tables = PostgresBackup.tableCount(t.pool());
            if (tables > 0) {
                full.add("shard '" + t.shard() + "' into " + t.url() + (t.fromDirectory() ? " (the set's directory "
                        + "names it: the database the shard was backed up from)" : "") + ", which has " + tables
                        + " table(s)");
            }
        }
        if (!full.isEmpty()) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "cannot restore " + String.join("; ", full) + ". Every "
                    + "target must be an empty database: create a new one (createdb NAME) and name it in "
                    + "DATABASE_URL for main, or with shardUrl(NAME, URL) / --shard-url NAME=URL for another shard; "
                    + "nothing was restored");
        }
    }

    private static void closeAll(List<AutoCloseable> opened) {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception ignored) {
                // a pool that fails to close holds nothing we need
            }
        }
    }
}
