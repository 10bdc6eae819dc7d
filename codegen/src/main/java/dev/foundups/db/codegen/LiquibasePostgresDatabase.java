package dev.foundups.db.codegen;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Properties;

import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.meta.postgres.PostgresDatabase;

/**
 * A jOOQ code-generation {@code Database} that reads the FoundUps DB changelogs: on jOOQ's first request for a
 * connection it starts an embedded PostgreSQL, applies the changelogs there with the real Liquibase, and lets jOOQ's
 * own PostgreSQL reader read the resulting catalog.
 *
 * <p>Use it as the {@code <database>} of {@code org.jooq:jooq-codegen-maven}, with this artifact as a dependency
 * of the plugin and no {@code <jdbc>} element. Properties ({@code <properties>} of the {@code <database>}):
 * <ul>
 *   <li>none: the project's own layout on the plugin's class path (the FoundUps DB schema jar): the shared
 *       changelog and every template under {@code db/foundups/templates/};</li>
 *   <li>{@value #TEMPLATE_FOLDER}: a module author's template folder (relative to the project's base directory),
 *       read from the source tree because resources are copied to the class path only after
 *       {@code generate-sources}; its tables are generated with the prefix {@code <module>_}, which the run time's
 *       render mapping turns into {@code modules_<module>_};</li>
 *   <li>{@value #MODULE_NAME}: the module's name, by default the folder's name;</li>
 *   <li>{@value #SHARDING_LINT}: {@code true} (the default), {@code warn} or {@code false}: whether a template
 *       that breaks a sharding rule fails the build, is only logged, or is not checked (below).</li>
 * </ul>
 *
 * <pre>
 * &lt;database&gt;
 *   &lt;name&gt;dev.foundups.db.codegen.LiquibasePostgresDatabase&lt;/name&gt;
 *   &lt;inputSchema&gt;public&lt;/inputSchema&gt;
 *   &lt;properties&gt;
 *     &lt;property&gt;
 *       &lt;key&gt;templateFolder&lt;/key&gt;
 *       &lt;value&gt;src/main/resources/db/foundups/templates/modules/inventory&lt;/value&gt;
 *     &lt;/property&gt;
 *   &lt;/properties&gt;
 * &lt;/database&gt;
 * </pre>
 *
 * <p>Every template's tables, indexes and constraints must start with {@code ${table.prefix}}, and a module must
 * not take a reserved name ({@code foundup}, {@code agents}, {@code foundupsdb*}); a changelog that cannot be
 * applied fails generation with its file and changeset named. With {@link IncrementalJavaGenerator} nothing starts
 * at all when the changelogs and the configuration are unchanged.
 *
 * <p><b>Sharding rules.</b> After each template is applied, its tables are checked in PostgreSQL's catalog for what
 * moving a namespace to another shard needs: every table has a primary key (logical replication cannot replicate
 * UPDATE and DELETE without one), integer keys and generated ids are 64-bit ({@code ${id.type}}, BIGINT), and no
 * foreign key points at a table outside the template. A broken rule fails generation with the file, the changeset,
 * the table, the rule and the fix named; a build whose databases never shard can set {@value #SHARDING_LINT} to
 * {@code false}.
 */
public class LiquibasePostgresDatabase extends PostgresDatabase {

    /** Property: a module template's folder, relative to the project's base directory. */
    public static final String TEMPLATE_FOLDER = "templateFolder";

    /** Property: the module's name when it is not the template folder's name. */
    public static final String MODULE_NAME = "moduleName";

    /** Property: {@code true} (default), {@code warn} or {@code false}: how a broken sharding rule is treated. */
    public static final String SHARDING_LINT = "shardingLint";

    private Changelogs changelogs;
    private ScratchPostgres scratch;

    /** Called by jOOQ's code generator, which configures the database through its setters. */
    public LiquibasePostgresDatabase() {
    }

    /**
     * jOOQ builds a context as soon as it is configured, long before it reads anything: hand it one whose connection
     * starts the database only when first acquired, so a skipped or failing configuration starts nothing.
     */
    @Override
    protected DSLContext create0() {
        if (getConnection() != null) {
            return super.create0();
        }
        return DSL.using(new StartOnAcquire(), SQLDialect.POSTGRES);
    }

    /**
     * Starts the database and applies the changelogs, unless done already.
     *
     * @return the connection jOOQ reads through
     * @throws IllegalStateException naming the file and changeset of a changelog that cannot be applied, or a
     *                               template that breaks a sharding rule, or a bad {@value #SHARDING_LINT} value
     */
    synchronized Connection start() {
        if (scratch == null) {
            Properties properties = getProperties() == null ? new Properties() : getProperties();
            ShardingLint lint = new ShardingLint(ShardingLint.Mode.parse(properties.getProperty(SHARDING_LINT)));
            scratch = ScratchPostgres.start(changelogs(), lint);
            setConnection(scratch.connection());
        }
        return scratch.connection();
    }

    /**
     * One line per input file with a hash of its content: what the generated classes depend on besides the
     * configuration. Reads the files only; starts nothing.
     *
     * @return the lines, sorted
     */
    List<String> inputFingerprint() {
        return changelogs().fingerprint();
    }

    /** The changelogs named by the properties; read once. */
    synchronized Changelogs changelogs() {
        if (changelogs == null) {
            // The FoundUps DB schema jar (properties.xml, and the project's own layout) comes with this class.
            ClassLoader loader = LiquibasePostgresDatabase.class.getClassLoader();
            Properties properties = getProperties() == null ? new Properties() : getProperties();
            String folder = properties.getProperty(TEMPLATE_FOLDER);
            if (folder == null || folder.isBlank()) {
                changelogs = Changelogs.fromClassPath(loader);
            } else {
                Path root = Path.of(getBasedir() == null ? "." : getBasedir()).toAbsolutePath().normalize();
                Path dir = root.resolve(folder.strip()).normalize();
                String module = properties.getProperty(MODULE_NAME, dir.getFileName().toString()).strip();
                changelogs = Changelogs.fromFolder(root, dir, module, loader);
            }
        }
        return changelogs;
    }

    @Override
    public void close() {
        super.close();
        synchronized (this) {
            if (scratch != null) {
                scratch.close();
                scratch = null;
            }
        }
    }

    /** Starts the database on the first query jOOQ runs. */
    private final class StartOnAcquire implements ConnectionProvider {
        @Override
        public Connection acquire() {
            return start();
        }

        @Override
        public void release(Connection connection) {
            // The one connection lives until close(): jOOQ reads the catalog with many short queries.
        }
    }
}
