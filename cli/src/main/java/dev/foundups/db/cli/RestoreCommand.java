package dev.foundups.db.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code restore FILE}: replaces the database's content with a backup. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Replace the database's content with a backup made by 'backup'.",
            "SQLite: refused while anything has the database open; checked before the file is touched.",
            "PostgreSQL: pg_restore in one transaction into an empty database."})
final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    FoundupsDbCli root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the backup to restore")
    Path file;

    @Override
    public Integer call() {
        root.builder().restore(file);
        spec.commandLine().getOut().println("restored " + root.resolveUrl() + " from " + file);
        return 0;
    }
}
