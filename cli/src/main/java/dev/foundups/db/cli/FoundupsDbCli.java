package dev.foundups.db.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbBuilder;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.internal.config.DatabaseUrl;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code foundups-db}: the operator's tool. Each command is a class of its own; this one holds the options every
 * command shares, opens the database the way the library does, and turns errors into one line and an exit code.
 */
@Command(name = "foundups-db",
        mixinStandardHelpOptions = true,
        versionProvider = FoundupsDbCli.Version.class,
        description = "Operate a FoundUps DB (WSP 78) database: one database, three namespaces.",
        subcommands = {InitCommand.class, StatusCommand.class, MigrateCommand.class, NamespaceCommand.class,
            ShardCommand.class, BackupCommand.class, RestoreCommand.class, ImportLegacyCommand.class, CopyCommand.class,
            DemoCommand.class, CommandLine.HelpCommand.class},
        footer = {"",
            "Configuration: the database is --url, else the DATABASE_URL system",
            "property, else the DATABASE_URL environment variable, else SQLite at",
            "data/foundups.db. Accepted forms:",
            "  sqlite:///relative/path.db       sqlite:////absolute/path.db",
            "  jdbc:sqlite:PATH                 jdbc:postgresql://host:5432/db",
            "  postgresql://user:password@host:5432/db  (or postgres://...)",
            "  postgresql://h1:5432,h2:5432/db  (several hosts: writes follow the primary)",
            "Read replicas: --replica URL before the command, else DATABASE_REPLICA_URLS",
            "(URLs separated by spaces); DATABASE_MAX_REPLICA_LAG (1s),",
            "DATABASE_REPLICA_READS (thread).",
            "",
            "Exit codes: 0 done; 1 failures or refused; 2 bad usage, setting or input;",
            "3 cannot connect; 4 schema or database error."})
public final class FoundupsDbCli {

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "The database (overrides DATABASE_URL).")
    String url;

    // Not inherited: only before the command (foundups-db --replica URL status), so the commands' usage lines stay
    // as they were.
    @Option(names = "--replica", paramLabel = "URL",
            description = "A read replica (PostgreSQL standby); repeat for several (overrides DATABASE_REPLICA_URLS).")
    List<String> replicas;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Show log output and, on errors, the stack trace.")
    boolean verbose;

    private Map<String, String> environment = System.getenv();

    /**
     * Runs the tool and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv(),
                args));
    }

    /**
     * Runs the tool without exiting: how tests and embedding code call it.
     *
     * @param out         standard output
     * @param err         standard error
     * @param environment the environment variables to read DATABASE_URL from
     * @param args        the command line
     * @return the exit code
     */
    public static int execute(PrintWriter out, PrintWriter err, Map<String, String> environment, String... args) {
        FoundupsDbCli root = new FoundupsDbCli();
        root.environment = Map.copyOf(environment);
        CommandLine cli = new CommandLine(root)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler((e, command, parsed) -> {
                    command.getErr().println("foundups-db: " + message(e));
                    if (root.verbose) {
                        e.printStackTrace(command.getErr());
                    } else if (!(e instanceof FoundupsDbException) && !(e instanceof CommandFailure)) {
                        command.getErr().println("foundups-db: run again with --verbose for the details");
                    }
                    return exitCode(e);
                });
        try {
            return cli.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * Opens the database with the shared options.
     *
     * @param settings further settings for this command
     * @return the open database
     */
    FoundupsDb open(UnaryOperator<FoundupsDbBuilder> settings) {
        if (verbose) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
        }
        return settings.apply(builder()).open();
    }

    /**
     * The database the shared options name, as the library resolves it: {@code --url}, else the DATABASE_URL system
     * property, else the environment variable, else the default SQLite file. Opens nothing.
     *
     * @return the parsed URL (the CLI ships with the library it drives, so it may use the internal parser)
     */
    DatabaseUrl resolveUrl() {
        return DatabaseUrl.parse(configuredUrl(), configuredSetting());
    }

    /** @return the URL text the shared options name, or the default SQLite file's */
    String configuredUrl() {
        String value = url != null ? url : System.getProperty(FoundupsDb.DATABASE_URL);
        value = value != null ? value : environment.get(FoundupsDb.DATABASE_URL);
        return value != null && !value.isBlank() ? value : "sqlite:///" + DatabaseUrl.DEFAULT_SQLITE_PATH;
    }

    /** @return the name of the setting {@link #configuredUrl()} came from, for messages */
    String configuredSetting() {
        if (url != null) {
            return "--url";
        }
        return System.getProperty(FoundupsDb.DATABASE_URL) != null ? FoundupsDb.DATABASE_URL + " (system property)"
                : environment.get(FoundupsDb.DATABASE_URL) != null ? FoundupsDb.DATABASE_URL + " (environment)"
                : "the default database";
    }

    /** @return a builder with the shared options applied */
    FoundupsDbBuilder builder() {
        FoundupsDbBuilder builder = FoundupsDb.configure().environment(environment);
        if (url != null) {
            builder.databaseUrl(url, "--url");
        }
        if (replicas != null && !replicas.isEmpty()) {
            builder.readReplicas(replicas, "--replica");
        }
        return builder;
    }

    static String message(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    static int exitCode(Exception e) {
        if (e instanceof CommandFailure failure) {
            return failure.exitCode;
        }
        if (e instanceof FoundupsDbException db) {
            return switch (db.errorCode()) {
                case CONFIGURATION, INVALID_NAME, INVALID_INPUT -> 2;
                case DB_CONNECTION -> 3;
                case NAME_CONFLICT, BACKUP, TRANSFER -> 1;
                case MIGRATION, DATABASE, BUSY, NAMESPACE_MOVED -> 4;
            };
        }
        return 4;
    }

    /** A command that ran but must report failure: its message is printed as the error line. */
    static final class CommandFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        CommandFailure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    /** The version printed by {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = FoundupsDb.class.getPackage().getImplementationVersion();
            return new String[] {"foundups-db " + (version == null ? "0.1.0-SNAPSHOT" : version)};
        }
    }
}
