package dev.foundups.db.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import dev.foundups.db.copy.CopyListener;
import dev.foundups.db.copy.CopyReport;
import dev.foundups.db.copy.DatabaseCopy;
import dev.foundups.db.copy.ExistingTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code copy --to URL}: moves a whole FoundUps DB to another database, such as from SQLite to PostgreSQL. */
@Command(name = "copy", mixinStandardHelpOptions = true,
        description = {"Copy the whole database to another one, such as SQLite to PostgreSQL:",
            "agents tables, every namespace with its catalog entry, every row.",
            "The target is made by the library (Liquibase, templates) and filled",
            "with COPY on PostgreSQL; then both sides are compared table by table,",
            "by row count and checksum. The source is only read, from one snapshot,",
            "and must be up to date (foundups-db migrate).",
            "A sharded target (shards added with 'shard add'): each module, FoundUp",
            "and agent goes to the shard with the fewest placements, as a new one",
            "would, and each table is compared on its shard.",
            "Exits 1 when the target holds data (see --replace, --resume) or when",
            "the two sides differ."},
        footer = {"", "Example (then set DATABASE_URL to the new database):",
            "  foundups-db --url sqlite:///data/foundups.db copy \\",
            "      --to postgresql://fu:pw@db:5432/foundups"})
final class CopyCommand implements Callable<Integer> {

    /** The catalog's table: compared, never copied (provisioning writes it), so not counted among copied tables. */
    private static final String CATALOG = "foundupsdb_namespaces";

    @ParentCommand
    FoundupsDbCli root;

    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "URL",
            description = "the database to copy from (default: the configured one, --url or DATABASE_URL)")
    String from;

    @Option(names = "--to", paramLabel = "URL", required = true,
            description = "the database to copy to: a new, empty SQLite file or PostgreSQL database, or the "
                    + "main database of a sharded cluster whose shards are empty")
    String to;

    @Option(names = "--resume", description = "go on with an interrupted copy into the target: finished tables "
            + "are kept, the rest are copied")
    boolean resume;

    @Option(names = {"--restart", "--replace"}, description = "start over: drop the target's FoundUps DB tables "
            + "(agents_*, modules_*, foundups_*, foundupsdb_*, databasechangelog*) first, whatever they hold; a "
            + "sharded target is emptied instead, main and every shard, and keeps its shards")
    boolean restart;

    @Option(names = "--verify-only", description = "copy nothing: compare the two databases table by table")
    boolean verifyOnly;

    @Option(names = "--tables", description = "list every table with its rows and checksum, not only differences")
    boolean listTables;

    @Override
    public Integer call() {
        if (resume && restart) {
            throw new FoundupsDbCli.CommandFailure(2, "--resume and --restart exclude each other: choose one");
        }
        if (verifyOnly && (resume || restart)) {
            throw new FoundupsDbCli.CommandFailure(2, "--verify-only copies nothing: it takes no --resume or "
                    + "--restart");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DatabaseCopy.Builder builder;
        if (from != null) {
            builder = DatabaseCopy.from(from, "--from");
        } else {
            builder = DatabaseCopy.from(root.configuredUrl(),
                    root.url != null ? "--url" : "the configured database");
        }
        DatabaseCopy copy = builder.to(to, "--to")
                .existingTarget(resume ? ExistingTarget.RESUME : restart ? ExistingTarget.REPLACE
                        : ExistingTarget.REFUSE)
                .listener(new Progress(out, System.console() != null))
                .load();
        CopyReport report;
        if (verifyOnly) {
            report = copy.verify();
        } else {
            report = copy.run();
            double seconds = Math.max(0.001, report.elapsed().toNanos() / 1e9);
            long tables = report.tables().stream().filter(t -> !t.table().equals(CATALOG)).count();
            out.printf("copied %,d rows in %d tables in %.1f s (%,.0f rows/s)%s%n", report.rowsCopied(),
                    report.tablesCopied(), seconds, report.rowsCopied() / seconds,
                    report.tablesCopied() < tables
                            ? "; " + (tables - report.tablesCopied()) + " tables were copied by the interrupted run"
                            : "");
        }
        if (report.sharded()) {
            out.println("on " + report.shards().size() + " shards (what each holds of the source):");
            for (CopyReport.ShardResult shard : report.shards()) {
                out.println("  " + shard.describe());
            }
        }
        if (listTables) {
            for (CopyReport.TableResult t : report.tables()) {
                out.println("  " + (t.matches() ? "" : "DIFFERS ") + t.describe());
            }
        }
        if (!report.verified()) {
            for (CopyReport.TableResult t : report.mismatches()) {
                err.println("  " + t.describe());
            }
            throw new FoundupsDbCli.CommandFailure(1, report.mismatches().size() + " of " + report.tables().size()
                    + " tables differ between " + report.source() + " and " + report.target()
                    + (verifyOnly ? "" : "; run the copy again with --restart to start over"));
        }
        out.println("verified: " + report.tables().size() + " tables hold the same rows on both sides (row counts "
                + "and checksums)" + (report.sharded() ? ", each on its shard" : ""));
        return 0;
    }

    /** Progress: a bar redrawn in place on a terminal, about twenty plain lines otherwise. */
    static final class Progress implements CopyListener {
        private final PrintWriter out;
        private final boolean terminal;
        private int tables;
        private long rows;
        private int tablesDone;
        private long rowsDone;
        private long rowsInTable;
        private long lastLine;

        Progress(PrintWriter out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        @Override
        public void started(int tables, long rows) {
            this.tables = tables;
            this.rows = rows;
            out.printf("%d tables, %,d rows to copy%n", tables, rows);
        }

        @Override
        public void tableSkipped(String table, long tableRows) {
            tablesDone++;
            rowsDone += tableRows;
            show();
        }

        @Override
        public void rowsCopied(String table, long rowsSoFar) {
            rowsInTable = rowsSoFar;
            show();
        }

        @Override
        public void tableCopied(String table, long tableRows) {
            tablesDone++;
            rowsDone += tableRows;
            rowsInTable = 0;
            show();
        }

        @Override
        public void verifying(int count) {
            if (terminal && tables > 0) {
                out.println();
            }
            out.println("verifying " + count + " tables...");
        }

        private void show() {
            long now = rowsDone + rowsInTable;
            if (terminal) {
                out.printf("\r%s %d/%d tables, %,d/%,d rows", ProgressListener.bar(now, rows), tablesDone, tables,
                        now, rows);
                out.flush();
            } else {
                long step = Math.max(1, rows / 20);
                boolean last = tablesDone == tables && rowsInTable == 0;
                if (now - lastLine >= step || last) {
                    lastLine = now;
                    out.printf("copied %,d/%,d rows, %d/%d tables%n", now, rows, tablesDone, tables);
                }
            }
        }
    }
}
