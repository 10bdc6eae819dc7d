package dev.foundups.db.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.ShardInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code shard add|list}: the shards of a sharded PostgreSQL database. */
@Command(name = "shard", mixinStandardHelpOptions = true,
        description = {"Add and list the shards of a PostgreSQL database (PostgreSQL only).",
            "The database --url (or DATABASE_URL) names holds the directory and is itself the shard 'main'."},
        subcommands = {ShardCommand.Add.class, ShardCommand.ListCommand.class})
final class ShardCommand {

    @ParentCommand
    FoundupsDbCli root;

    /** {@code shard add NAME URL}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a shard: an empty PostgreSQL database that new namespaces and agents can be placed on.",
                "Checks that it can be reached and holds nothing yet, and applies the shared tables there.",
                "The first shard added makes the database sharded: what exists stays on 'main'."})
    static final class Add implements Callable<Integer> {
        @ParentCommand
        ShardCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "the shard's name: lower-case letters, digits "
                + "and underscores, starting with a letter")
        String name;

        @Parameters(index = "1", paramLabel = "URL", description = "its database, in any form --url accepts "
                + "(the password is stored in the directory and never printed)")
        String url;

        @Override
        public Integer call() {
            try (FoundupsDb db = parent.root.open(b -> b)) {
                ShardInfo added = db.shards().add(name, url);
                List<ShardInfo> all = db.shards().list();
                spec.commandLine().getOut().println("added shard '" + added.name() + "' (" + added.url() + "); "
                        + all.size() + " shard(s): " + String.join(", ", all.stream().map(ShardInfo::name).toList()));
                return 0;
            }
        }
    }

    /** {@code shard list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the shards: name, state, namespaces and agents placed on each, and URL (no password).")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        ShardCommand parent;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "print JSON for scripts")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (FoundupsDb db = parent.root.open(b -> b.schemaChangesOnOpen(false))) {
                List<ShardInfo> shards = db.shards().list();
                if (json) {
                    NamespaceCommand.Json.write(out, g -> {
                        g.writeStartArray();
                        for (ShardInfo s : shards) {
                            g.writeStartObject();
                            g.writeStringField("name", s.name());
                            g.writeStringField("state", s.state().name().toLowerCase());
                            g.writeNumberField("namespaces", s.namespaces());
                            g.writeNumberField("agents", s.agents());
                            g.writeStringField("url", s.url());
                            g.writeEndObject();
                        }
                        g.writeEndArray();
                    });
                    return 0;
                }
                if (shards.isEmpty()) {
                    out.println("not sharded: one database; add a shard with 'foundups-db shard add NAME URL'");
                    return 0;
                }
                out.printf("%-16s %-9s %10s %8s  %s%n", "NAME", "STATE", "NAMESPACES", "AGENTS", "URL");
                for (ShardInfo s : shards) {
                    out.printf("%-16s %-9s %10d %8d  %s%n", s.name(), s.state().name().toLowerCase(), s.namespaces(),
                            s.agents(), s.url());
                }
                out.println(shards.size() + " shard(s)");
                return 0;
            }
        }
    }
}
