package dev.foundups.db.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.ImportReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code import-legacy PATH...}: the protocol's one-time migration of module databases and agent memory files. */
@Command(name = "import-legacy", mixinStandardHelpOptions = true,
        description = {"Import what the platform had before the unified database.",
            "A SQLite file (chat_rules.db) becomes modules_<module>_<table>, every table with its rows; a JSON",
            "or JSON Lines file (.json, .jsonl) becomes agents_memory rows. Each file in one transaction, all",
            "or nothing; importing the same file again adds nothing."})
final class ImportLegacyCommand implements Callable<Integer> {

    @ParentCommand
    FoundupsDbCli root;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "SQLite databases and JSON / JSON Lines files")
    List<Path> paths;

    @Option(names = "--module", paramLabel = "NAME",
            description = "module name for a SQLite file (default: the file name, chat_rules.db -> chat_rules)")
    String module;

    @Option(names = "--agent", paramLabel = "NAME", description = "owner of JSON records without an agent_id")
    String agent;

    @Option(names = "--pattern-type", paramLabel = "TYPE",
            description = "pattern type of JSON records (default: the record's pattern_type, else the file name)")
    String patternType;

    @Override
    public Integer call() {
        long databases = paths.stream().filter(p -> !isJson(p)).count();
        if (module != null && databases > 1) {
            throw new FoundupsDbCli.CommandFailure(2, "--module names one module: give one SQLite file with it");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (FoundupsDb db = root.open(b -> b)) {
            for (Path path : paths) {
                ImportReport report = isJson(path) ? db.importAgentMemory(path, agent, patternType)
                        : db.importLegacyDatabase(path, module);
                if (report.alreadyImported()) {
                    out.println(path + ": imported before into " + report.target() + ", nothing added");
                    continue;
                }
                out.println(path + " -> " + report.target() + ": " + report.total() + " row(s)");
                for (Map.Entry<String, Long> table : report.rows().entrySet()) {
                    out.printf("  %-50s %,d%n", table.getKey(), table.getValue());
                }
            }
            return 0;
        }
    }

    private static boolean isJson(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson");
    }
}
