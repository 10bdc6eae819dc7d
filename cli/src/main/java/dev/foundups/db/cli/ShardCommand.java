package dev.foundups.db.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.MoveReport;
import dev.foundups.db.ShardInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code shard add|list|drain|move-agent|cleanup}: the shards of a sharded PostgreSQL database. */
@Command(name = "shard", mixinStandardHelpOptions = true,
        description = {"Add, list and drain the shards of a PostgreSQL database (PostgreSQL only).",
            "The database --url (or DATABASE_URL) names holds the directory and is itself the shard 'main'."},
        subcommands = {ShardCommand.Add.class, ShardCommand.ListCommand.class, ShardCommand.Drain.class,
            ShardCommand.MoveAgent.class, ShardCommand.Cleanup.class})
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

    /** {@code shard drain NAME}. */
    @Command(name = "drain", mixinStandardHelpOptions = true,
            description = {"Move every namespace and agent off a shard, one at a time, each to the shard with the "
                + "fewest placements; the shard takes nothing new from now on.",
                "Stops at the first failure: run it again to go on."})
    static final class Drain implements Callable<Integer> {
        @ParentCommand
        ShardCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "the shard to empty")
        String name;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (FoundupsDb db = parent.root.open(b -> b)) {
                List<MoveReport> reports = db.shards().drain(name);
                reports.forEach(r -> out.println(describe(r)));
                out.println("shard '" + name + "' is drained: " + reports.size() + " move(s)");
                return 0;
            }
        }
    }

    /** {@code shard move-agent AGENT --to SHARD}. */
    @Command(name = "move-agent", mixinStandardHelpOptions = true,
            description = "Move one agent's awakening and patterns to another shard (writes naming it wait).")
    static final class MoveAgent implements Callable<Integer> {
        @ParentCommand
        ShardCommand parent;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "AGENT", description = "the agent id")
        String agent;

        @Option(names = "--to", required = true, paramLabel = "SHARD", description = "the shard to move it to")
        String shard;

        @Override
        public Integer call() {
            try (FoundupsDb db = parent.root.open(b -> b)) {
                spec.commandLine().getOut().println(describe(db.shards().moveAgent(agent, shard)));
                return 0;
            }
        }
    }

    /** {@code shard cleanup}. */
    @Command(name = "cleanup", mixinStandardHelpOptions = true,
            description = "Drop what finished moves left on shards that were down (replication slots keep WAL).")
    static final class Cleanup implements Callable<Integer> {
        @ParentCommand
        ShardCommand parent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (FoundupsDb db = parent.root.open(b -> b)) {
                List<String> left = db.shards().cleanup();
                left.forEach(out::println);
                out.println(left.isEmpty() ? "nothing left behind" : left.size() + " move(s) still leave something "
                        + "on a shard that cannot be reached; run this again once it is back");
                return left.isEmpty() ? 0 : 1;
            }
        }
    }

    /** @return one line for a move, such as {@code moved foundup 'x' from b to c online: 120 rows in 1.2 s, ...} */
    static String describe(MoveReport r) {
        String what = r.what().toLowerCase() + " '" + r.name() + "'";
        if (r.method() == MoveReport.Method.NONE) {
            return what + " is on shard '" + r.target() + "' already";
        }
        StringBuilder line = new StringBuilder((r.resumed() ? "finished moving " : "moved ") + what + " from '"
                + r.source() + "' to '" + r.target() + "' " + r.method().name().toLowerCase() + ": "
                + (r.rows() < 0 ? "rows not counted" : r.rows() + " rows") + " in "
                + millis(r.took()));
        r.writePause().ifPresent(p -> line.append(", writers waited ").append(millis(p)));
        if (r.note() != null) {
            line.append(" (").append(r.note()).append(')');
        }
        return line.toString();
    }

    private static String millis(java.time.Duration d) {
        return d.toMillis() + " ms";
    }
}
