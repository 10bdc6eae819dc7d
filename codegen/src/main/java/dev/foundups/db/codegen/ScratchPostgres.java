package dev.foundups.db.codegen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.foundups.db.codegen.Changelogs.Run;
import dev.foundups.db.schema.SchemaLayout;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.UpdateSummaryEnum;
import liquibase.change.Change;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.CompositeResourceAccessor;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.resource.ResourceAccessor;
import liquibase.ui.LoggerUIService;

/**
 * An embedded PostgreSQL with the changelogs applied by the real Liquibase: what jOOQ's PostgreSQL reader reads.
 *
 * <p>PostgreSQL keeps every declared type, so the generated Java types are exact; SQLite would report most of them
 * as text. Closing it stops the server and deletes its files.
 */
final class ScratchPostgres implements AutoCloseable {

    /** Held so the level sticks: java.util.logging keeps loggers weakly. Liquibase's INFO lines are noise here. */
    private static final Logger QUIET_LIQUIBASE = Logger.getLogger("liquibase");

    /** "liquibase.exception.MigrationFailedException: " and the like, repeated when wrapped twice. */
    private static final Pattern WRAPPED_CLASS = Pattern.compile("^((\\w+\\.)+\\w+(Exception|Error): )+");

    private final EmbeddedPostgres postgres;
    private final Connection connection;

    private ScratchPostgres(EmbeddedPostgres postgres, Connection connection) {
        this.postgres = postgres;
        this.connection = connection;
    }

    /**
     * Starts PostgreSQL and applies the changelogs, in order.
     *
     * @param changelogs what to apply
     * @param lint       how a template that breaks a sharding rule is treated
     * @return the running database, with one open connection for jOOQ
     * @throws IllegalStateException naming the changelog file and changeset when one cannot be applied, a
     *                               template object name that lacks the prefix, or a broken sharding rule
     */
    static ScratchPostgres start(Changelogs changelogs, ShardingLint lint) {
        QUIET_LIQUIBASE.setLevel(Level.WARNING);
        EmbeddedPostgres postgres;
        try {
            // initdb's and the server's own output would fill the build log with every statement Liquibase probes
            // with ("relation databasechangeloglock does not exist"); a failed start still throws with its reason.
            postgres = EmbeddedPostgres.builder()
                    .setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
                    .setErrorRedirector(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded PostgreSQL for code generation: "
                    + e.getMessage(), e);
        }
        Connection connection = null;
        Path scratch = null;
        try {
            connection = postgres.getPostgresDatabase().getConnection();
            scratch = Files.createTempDirectory("foundups-codegen");
            apply(connection, changelogs, scratch, lint);
            return new ScratchPostgres(postgres, connection);
        } catch (RuntimeException | SQLException | IOException e) {
            closeQuietly(connection, postgres);
            throw e instanceof IllegalStateException ise ? ise
                    : new IllegalStateException("code generation database: " + e.getMessage(), e);
        } finally {
            deleteRecursively(scratch);
        }
    }

    /** @return the connection jOOQ reads the catalog through */
    Connection connection() {
        return connection;
    }

    @Override
    public void close() {
        closeQuietly(connection, postgres);
    }

    private static void apply(Connection connection, Changelogs changelogs, Path scratch, ShardingLint lint)
            throws IOException {
        List<ResourceAccessor> accessors = new ArrayList<>();
        // Generated master changelogs are written to a scratch folder that Liquibase reads first.
        accessors.add(new DirectoryResourceAccessor(scratch));
        accessors.addAll(changelogs.accessors());
        CompositeResourceAccessor accessor = new CompositeResourceAccessor(accessors);
        for (Run run : changelogs.runs()) {
            if (run.content() != null) {
                Files.writeString(scratch.resolve(run.changelog()), run.content(), StandardCharsets.UTF_8);
            }
        }
        Map<String, Object> scope = Map.of(
                Scope.Attr.ui.name(), new LoggerUIService(),
                "liquibase.analytics.enabled", false);
        try {
            Scope.child(scope, () -> {
                Database database = DatabaseFactory.getInstance()
                        .findCorrectDatabaseImplementation(new JdbcConnection(connection));
                // Liquibase's own tables are made by the first run, which may be a template's.
                Set<String> liquibaseTables = Set.of(
                        database.getDatabaseChangeLogTableName().toLowerCase(Locale.ROOT),
                        database.getDatabaseChangeLogLockTableName().toLowerCase(Locale.ROOT));
                for (Run run : changelogs.runs()) {
                    Set<String> before = ShardingLint.relations(connection);
                    Liquibase liquibase = new Liquibase(run.changelog(), accessor, database);
                    apply(run, liquibase);
                    if (run.tablePrefix() != null) {
                        lint.check(connection, before, liquibaseTables, run, liquibase.getDatabaseChangeLog());
                    }
                }
            });
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("code generation database: " + e.getMessage(), e);
        }
    }

    private static void apply(Run run, Liquibase liquibase) {
        liquibase.setShowSummary(UpdateSummaryEnum.OFF); // its summary goes to stdout, past the log level
        try {
            if (run.tablePrefix() != null) {
                liquibase.setChangeLogParameter(SchemaLayout.TABLE_PREFIX_PARAMETER, run.tablePrefix());
                checkNames(run, liquibase.getDatabaseChangeLog());
            }
            liquibase.update(new Contexts(), new LabelExpression());
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            // Liquibase's own message names the file and the changeset ("Migration failed for changeset
            // FILE::ID::AUTHOR: Reason: ..."), or the file and line of a parse error; say which run it was.
            throw new IllegalStateException("cannot apply " + run.description() + ": " + messages(e), e);
        }
    }

    /** Every table, index and constraint a template names must start with its prefix, as at run time. */
    private static void checkNames(Run run, DatabaseChangeLog changeLog) {
        for (ChangeSet changeSet : changeLog.getChangeSets()) {
            for (Change change : changeSet.getChanges()) {
                for (SchemaLayout.ObjectName name : SchemaLayout.objectNames(change)) {
                    if (!name.name().startsWith(run.tablePrefix())) {
                        throw new IllegalStateException(changeSet.getFilePath() + ", changeset " + changeSet.getId()
                                + " (" + run.description() + "): " + name.missingPrefix() + ", so that each "
                                + "namespace gets its own copy and the generated class maps to it");
                    }
                }
            }
        }
    }

    /**
     * The messages of an exception and its causes, each once and without the class names Liquibase puts in front
     * of a cause's message when it wraps it: the useful part ("Migration failed for changeset FILE::ID::AUTHOR")
     * is nested two levels deep.
     */
    static String messages(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m == null) {
                continue;
            }
            m = WRAPPED_CLASS.matcher(m.strip()).replaceFirst("").replaceAll("\\s*\\R\\s*", " ");
            if (!m.isEmpty() && !out.toString().contains(m)) {
                out.append(out.isEmpty() ? "" : ": ").append(m);
            }
        }
        return out.toString();
    }

    private static void closeQuietly(Connection connection, EmbeddedPostgres postgres) {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // The server is stopped next; nothing else holds the connection.
        }
        try {
            postgres.close();
        } catch (IOException ignored) {
            // Best effort: the data folder is a temporary one.
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // A left-over file in the temp folder is harmless.
        }
    }
}
