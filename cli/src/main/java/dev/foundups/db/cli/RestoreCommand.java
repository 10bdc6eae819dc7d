package dev.foundups.db.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.foundups.db.BackupSetRestore;
import dev.foundups.db.RestoreResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code restore FILE}: replaces the database's content with a backup; a sharded database's set shard by shard. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Replace the database's content with a backup made by 'backup'.",
            "SQLite: refused while anything has the database open; checked before the file is touched.",
            "PostgreSQL: pg_restore in one transaction into an empty database.",
            "Sharded (FILE is a backup set's folder or its manifest.json): main's archive into the database",
            "--url names, each other shard's into the database the set's directory names for it, or the one",
            "--shard-url gives. Every target must be an empty database; all are checked before anything is",
            "written. Exit code 1 when refused, or when a shard failed: the error names the shards restored",
            "and the command that restores the rest (--only-shard)."})
final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    FoundupsDbCli root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the backup to restore, or a backup set's folder")
    Path file;

    // A list rather than picocli's Map: its error for a value without '=' would print the value, password and all.
    @Option(names = "--shard-url", paramLabel = "NAME=URL",
            description = {"A backup set: restore shard NAME into URL, an empty PostgreSQL database, instead of the",
                "one the set's directory names; the restored directory then names URL. Repeat per shard."})
    List<String> shardUrls = new ArrayList<>();

    @Option(names = "--only-shard", paramLabel = "NAME", split = ",",
            description = {"A backup set: restore only these shards (repeat, or separate with commas), to finish",
                "a restore that failed on some; give the same --shard-url options as the first run."})
    List<String> onlyShards = new ArrayList<>();

    @Option(names = "--allow-inconsistent",
            description = {"A backup set: restore it although a namespace or agent moved between shards while it",
                "was taken (refused otherwise); what moved may come back missing or stale."})
    boolean allowInconsistent;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (shardUrls.isEmpty() && onlyShards.isEmpty() && !allowInconsistent) {
            RestoreResult result = root.builder().restore(file);
            if (!result.isSet()) {
                out.printf("restored %s from %s (%,d bytes, %.1f s)%n", result.url(), result.backup(),
                        result.bytes(), seconds(result));
                return 0;
            }
            return printSet(out, result);
        }
        BackupSetRestore restore = root.builder().restoreSet(file).allowInconsistent(allowInconsistent);
        for (String mapping : shardUrls) {
            int eq = mapping.indexOf('=');
            String name = eq < 0 ? "" : mapping.substring(0, eq);
            if (!name.matches("[a-z][a-z0-9_]*")) {
                // The value is not echoed: whatever it is, it may hold a password.
                throw new FoundupsDbCli.CommandFailure(2, "--shard-url takes NAME=URL: a shard's name (lower-case "
                        + "letters, digits and underscores), '=', and its database, such as "
                        + "b=postgresql://user:password@host:5432/foundups");
            }
            restore.shardUrl(name, mapping.substring(eq + 1));
        }
        if (!onlyShards.isEmpty()) {
            restore.onlyShards(onlyShards.toArray(String[]::new));
        }
        return printSet(out, restore.restore());
    }

    private static int printSet(PrintWriter out, RestoreResult result) {
        out.printf("restored %d shard(s) from the set %s (%,d bytes, %.1f s):%n", result.shards().size(),
                result.backup(), result.bytes(), seconds(result));
        int width = result.shards().stream().mapToInt(s -> s.shard().length()).max().orElse(4);
        for (RestoreResult.ShardRestore s : result.shards()) {
            out.printf("  %-" + width + "s  %-" + (width + 5) + "s %,13d bytes  %6.1f s  into %s%n", s.shard(),
                    s.file().getFileName(), s.bytes(), s.duration().toMillis() / 1000.0, s.url());
        }
        return 0;
    }

    private static double seconds(RestoreResult result) {
        return result.duration().toMillis() / 1000.0;
    }
}
