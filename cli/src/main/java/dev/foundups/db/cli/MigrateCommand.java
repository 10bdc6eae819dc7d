package dev.foundups.db.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.MigrationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code migrate}: applies pending template changes to every namespace, with progress. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Apply pending template changes to every namespace.",
            "Each namespace migrates in its own transaction.",
            "A namespace that fails is marked failed and listed; the others go on; a rerun retries it.",
            "Sharded: every shard at once; a shard that cannot be reached is listed as failed, the others go on.",
            "Exits 1 when any namespace or shard failed."})
final class MigrateCommand implements Callable<Integer> {

    @ParentCommand
    FoundupsDbCli root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (FoundupsDb db = root.open(b -> b.migrateOnOpen(false))) {
            MigrationReport report = db.catalog().migrate(new ProgressListener(out, System.console() != null));
            out.printf("%d namespace(s) checked, %d pending, %d migrated, %d failed (%.1f s)%n", report.checked(),
                    report.pending(), report.migrated(), report.failed().size(),
                    report.elapsed().toMillis() / 1000.0);
            if (!report.succeeded()) {
                PrintWriter err = spec.commandLine().getErr();
                for (Map.Entry<String, String> failure : report.failed().entrySet()) {
                    err.println("  " + failure.getKey() + ": " + failure.getValue());
                }
                long shards = report.failed().keySet().stream().filter(k -> k.startsWith("shard:")).count();
                long namespaces = report.failed().size() - shards;
                throw new FoundupsDbCli.CommandFailure(1, (shards == 0 ? "" : shards + " shard(s) could not be "
                        + "migrated" + (namespaces == 0 ? "" : " and ")) + (namespaces == 0 ? "" : namespaces
                        + " namespace(s) failed and are marked so") + "; fix the cause and run 'foundups-db migrate' "
                        + "again to retry them");
            }
            return 0;
        }
    }
}
