package dev.foundups.db.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.foundups.db.BackupResult;
import dev.foundups.db.FoundupsDb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code backup FILE}: a consistent copy while the database stays in use. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Back the database up while it stays in use.",
            "SQLite: a database file from one snapshot (SQLite's backup API). PostgreSQL: a pg_dump archive",
            "(needs pg_dump on the PATH). FILE must not exist; it appears only once complete."})
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
            spec.commandLine().getOut().printf("backed up %s to %s (%,d bytes, %.1f s)%n", db.url(), result.file(),
                    result.bytes(), result.duration().toMillis() / 1000.0);
            return 0;
        }
    }
}
