package dev.foundups.db.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.internal.demo.ProtocolDemo;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code demo}: the protocol's usage examples, run against the database, and the rows they stored. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run WSP 78's usage examples (modules, FoundUps, agents) and print what is stored.")
final class DemoCommand implements Callable<Integer> {

    @ParentCommand
    FoundupsDbCli root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (FoundupsDb db = root.open(b -> b)) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            ProtocolDemo.run(db, new PrintStream(buffer, true, StandardCharsets.UTF_8));
            out.print(buffer.toString(StandardCharsets.UTF_8));
            return 0;
        }
    }
}
