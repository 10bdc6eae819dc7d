package dev.foundups.db.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.foundups.db.BackupResult;
import dev.foundups.db.FoundupsDb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code backup FILE}: a consistent copy while the database stays in use; a set of archives when sharded. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Back the database up while it stays in use.",
            "SQLite: a database file from one snapshot (SQLite's backup API). PostgreSQL: a pg_dump archive",
            "(needs pg_dump on the PATH). FILE must not exist; it appears only once complete.",
            "Sharded: FILE is a folder with one pg_dump archive per shard and manifest.json; the exit code is 1",
            "when a namespace or agent moved while it ran (the set is not consistent: take it again)."})
final class BackupCommand implements Callable<Integer> {

    @ParentCommand
    FoundupsDbCli root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the backup to write")
    Path file;

    @Override
    public Integer call() {
        try (FoundupsDb db = root.open(b -> b.schemaChangesOnOpen(false))) {
            BackupResult result = db.backup(file);
            PrintWriter out = spec.commandLine().getOut();
            if (!result.isSet()) {
                out.printf("backed up %s to %s (%,d bytes, %.1f s)%n", db.url(), result.file(), result.bytes(),
                        result.duration().toMillis() / 1000.0);
                return 0;
            }
            out.printf("backed up %d shard(s) to the set %s (%,d bytes, %.1f s):%n", result.shards().size(),
                    result.file(), result.bytes(), result.duration().toMillis() / 1000.0);
            int width = result.shards().stream().mapToInt(a -> a.shard().length()).max().orElse(4);
            for (BackupResult.ShardArchive a : result.shards()) {
                out.printf("  %-" + width + "s  %-" + (width + 5) + "s %,13d bytes  snapshot %s  %s%n", a.shard(),
                        a.file().getFileName(), a.bytes(), a.snapshotAt(), a.url());
            }
            if (result.consistent()) {
                out.println("consistent: every namespace and agent is in exactly one archive, at that archive's "
                        + "snapshot (the shards' snapshots were taken one after another)");
                return 0;
            }
            PrintWriter err = spec.commandLine().getErr();
            err.println("NOT consistent: namespaces or agents moved between shards while the backup ran; take it "
                    + "again when no move or drain is running:");
            result.inconsistencies().forEach(i -> err.println("  " + i));
            return 1;
        }
    }
}
