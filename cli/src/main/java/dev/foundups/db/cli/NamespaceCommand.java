package dev.foundups.db.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonGenerator;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.MoveReport;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code namespace create|list|drop|rename}. */
@Command(name = "namespace", mixinStandardHelpOptions = true,
        description = "Create, list, drop or rename module and FoundUp namespaces.",
        subcommands = {NamespaceCommand.Create.class, NamespaceCommand.ListCommand.class, NamespaceCommand.Move.class,
            NamespaceCommand.Drop.class, NamespaceCommand.Rename.class})
final class NamespaceCommand {

    @ParentCommand
    FoundupsDbCli root;

    /** {@code namespace create KIND NAME}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a namespace from its template (a module's template is named after it).")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        NamespaceCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "KIND", description = "module or foundup")
        NamespaceKind kind;

        @Parameters(index = "1", paramLabel = "NAME", description = "the module name or FoundUp id")
        String name;

        @Option(names = "--shard", paramLabel = "SHARD",
                description = "sharded database: the shard to create it on (default: the one with fewest placements)")
        String shard;

        @Override
        public Integer call() {
            try (FoundupsDb db = parent.root.open(b -> b)) {
                NamespaceInfo created = db.catalog().create(kind, name, shard);
                spec.commandLine().getOut().println("created " + created.label() + ": tables "
                        + created.tablePrefix() + "*, template '" + created.template() + "' version "
                        + created.templateVersion());
                return 0;
            }
        }
    }

    /** {@code namespace list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the namespaces.")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        NamespaceCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--kind", paramLabel = "KIND", description = "only module or foundup")
        NamespaceKind kind;

        @Option(names = "--all", description = "include dropped namespaces")
        boolean all;

        @Option(names = "--json", description = "print JSON for scripts")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (FoundupsDb db = parent.root.open(b -> b.schemaChangesOnOpen(false))) {
                List<NamespaceInfo> namespaces = db.catalog().list().stream()
                        .filter(n -> kind == null || n.kind() == kind)
                        .filter(n -> all || n.state() != NamespaceState.DROPPED)
                        .toList();
                if (json) {
                    Json.write(out, g -> {
                        g.writeStartArray();
                        for (NamespaceInfo n : namespaces) {
                            writeNamespace(g, n);
                        }
                        g.writeEndArray();
                    });
                } else {
                    out.printf("%-8s %-40s %-10s %-8s %s%n", "KIND", "NAME", "TEMPLATE", "STATE", "VERSION");
                    for (NamespaceInfo n : namespaces) {
                        out.printf("%-8s %-40s %-10s %-8s %d%n", n.kind().catalogValue(), n.name(), n.template(),
                                n.state().catalogValue(), n.templateVersion());
                    }
                    out.println(namespaces.size() + " namespace(s)");
                }
                return 0;
            }
        }
    }

    /** {@code namespace drop KIND NAME --yes}. */
    @Command(name = "drop", mixinStandardHelpOptions = true,
            description = "Drop a namespace: its tables and all their rows are deleted; the catalog keeps a row.")
    static final class Drop implements Callable<Integer> {
        @ParentCommand
        NamespaceCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "KIND", description = "module or foundup")
        NamespaceKind kind;

        @Parameters(index = "1", paramLabel = "NAME", description = "the module name or FoundUp id")
        String name;

        @Option(names = "--yes", description = "confirm: delete the tables and their rows")
        boolean yes;

        @Override
        public Integer call() {
            if (!yes) {
                throw new FoundupsDbCli.CommandFailure(1, "not dropping " + kind.catalogValue() + ":" + name
                        + " without --yes: it deletes its tables and every row in them");
            }
            try (FoundupsDb db = parent.root.open(b -> b)) {
                NamespaceInfo dropped = db.catalog().drop(kind, name);
                spec.commandLine().getOut().println("dropped " + dropped.label() + " (tables "
                        + dropped.tablePrefix() + "*)");
                return 0;
            }
        }
    }

    /** {@code namespace rename FROM TO}. */
    @Command(name = "rename", mixinStandardHelpOptions = true,
            description = {"Rename a FoundUp: its tables, their rows, indexes, constraints and id sequences move to "
                + "the new id, and its catalog entry keeps its history. All of it in one transaction, or nothing.",
                "The FoundUp must be up to date (run 'migrate' first). Processes that still use the old id get "
                + "errors until they use the new one."})
    static final class Rename implements Callable<Integer> {
        @ParentCommand
        NamespaceCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FROM", description = "the FoundUp's id")
        String from;

        @Parameters(index = "1", paramLabel = "TO", description = "its new id: lower-case letters, digits and "
                + "underscores, starting with a letter")
        String to;

        @Override
        public Integer call() {
            try (FoundupsDb db = parent.root.open(b -> b)) {
                NamespaceInfo renamed = db.catalog().renameFoundUp(from, to);
                spec.commandLine().getOut().println("renamed foundup:" + from + " to " + renamed.label() + ": tables "
                        + renamed.tablePrefix() + "*");
                return 0;
            }
        }
    }

    /** {@code namespace move [KIND] NAME --to SHARD}. */
    @Command(name = "move", mixinStandardHelpOptions = true,
            description = {"Move a module or FoundUp to another shard while it stays in use (sharded PostgreSQL).",
                "Online by logical replication when the source server has wal_level=logical: writers wait only at "
                + "the switch. Otherwise copied and checked while writers wait, and the output says so.",
                "Every step is journaled: after a crash, run the same command again to finish or undo it."})
    static final class Move implements Callable<Integer> {
        @ParentCommand
        NamespaceCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..2", paramLabel = "[KIND] NAME", description = "module or foundup (needed only when "
                + "a module and a FoundUp share the name), then the module name or FoundUp id")
        List<String> names;

        @Option(names = "--to", required = true, paramLabel = "SHARD", description = "the shard to move it to")
        String shard;

        @Override
        public Integer call() {
            try (FoundupsDb db = parent.root.open(b -> b)) {
                String name = names.get(names.size() - 1);
                NamespaceKind kind = names.size() == 2 ? kindOf(names.get(0)) : inferKind(db, name);
                MoveReport report = db.catalog().move(kind, name, shard);
                spec.commandLine().getOut().println(ShardCommand.describe(report));
                return 0;
            }
        }

        private NamespaceKind kindOf(String text) {
            try {
                return NamespaceKind.fromCatalogValue(text);
            } catch (IllegalArgumentException e) {
                throw new FoundupsDbCli.CommandFailure(2, "'" + text + "' is not a namespace kind: use module or "
                        + "foundup");
            }
        }

        private static NamespaceKind inferKind(FoundupsDb db, String name) {
            List<NamespaceKind> found = new ArrayList<>();
            for (NamespaceKind k : NamespaceKind.values()) {
                db.catalog().find(k, name).filter(n -> n.state() != NamespaceState.DROPPED)
                        .ifPresent(n -> found.add(k));
            }
            if (found.size() == 1) {
                return found.get(0);
            }
            throw new FoundupsDbCli.CommandFailure(found.isEmpty() ? 1 : 2, found.isEmpty()
                    ? "there is no module or FoundUp '" + name + "'; 'foundups-db namespace list' shows them"
                    : "both a module and a FoundUp are named '" + name + "': say which, e.g. "
                    + "'foundups-db namespace move foundup " + name + " --to SHARD'");
        }
    }

    static void writeNamespace(JsonGenerator g, NamespaceInfo n) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", n.kind().catalogValue());
        g.writeStringField("name", n.name());
        g.writeStringField("template", n.template());
        g.writeStringField("tablePrefix", n.tablePrefix());
        g.writeStringField("state", n.state().catalogValue());
        g.writeNumberField("templateVersion", n.templateVersion());
        g.writeStringField("createdAt", String.valueOf(n.createdAt()));
        if (n.lastError() != null) {
            g.writeStringField("lastError", n.lastError());
        }
        g.writeEndObject();
    }

    /** Writes JSON to the command's output. */
    static final class Json {
        interface Body {
            void write(JsonGenerator generator) throws IOException;
        }

        static void write(PrintWriter out, Body body) {
            try (JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(out)) {
                g.useDefaultPrettyPrinter();
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
                body.write(g);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.println();
        }
    }
}
