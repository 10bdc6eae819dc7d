package dev.foundups.db.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.MigrationReport;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code init}: creates or updates the database: shared tables, template changes, every module template. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Create or update the database.",
            "Brings the catalog and agents_* tables up to date, applies pending template changes, and creates a",
            "namespace for every module template on the class path that has none yet."})
final class InitCommand implements Callable<Integer> {

    @ParentCommand
    FoundupsDbCli root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (FoundupsDb db = root.open(b -> b.migrationListener(
                new ProgressListener(out, System.console() != null)))) {
            MigrationReport migration = db.openingMigration().orElseThrow();
            List<String> registered = new ArrayList<>();
            for (String module : db.catalog().moduleTemplates()) {
                boolean exists = db.catalog().find(NamespaceKind.MODULE, module)
                        .filter(n -> n.state() != NamespaceState.DROPPED).isPresent();
                if (!exists) {
                    db.catalog().create(NamespaceKind.MODULE, module);
                    registered.add(module);
                }
            }
            out.println("Database ready: " + db.url());
            out.println("  shared tables (catalog, agents_*): up to date");
            out.println("  modules registered now: " + (registered.isEmpty() ? "none" : String.join(", ", registered)));
            out.println("  namespaces: " + migration.checked() + " checked, " + migration.migrated()
                    + " migrated, " + migration.failed().size() + " failed");
            if (!migration.succeeded()) {
                throw new FoundupsDbCli.CommandFailure(1, "some namespaces could not be migrated: "
                        + String.join(", ", migration.failedNamespaces()) + " (see 'foundups-db migrate')");
            }
            return 0;
        }
    }
}
