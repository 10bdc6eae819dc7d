package dev.foundups.db.codegen;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import dev.foundups.db.codegen.Changelogs.Run;
import dev.foundups.db.schema.SchemaLayout;
import liquibase.changelog.DatabaseChangeLog;
import org.jooq.tools.JooqLogger;

/**
 * What moving a namespace to another shard needs from its template, checked in the scratch database's catalog right
 * after Liquibase applied the template: whatever wrote the objects (structured changes or {@code <sql>}), the
 * catalog is what a move will meet.
 *
 * <ul>
 *   <li>every table has a primary key: a table published for logical replication without one fails every UPDATE
 *       and DELETE while the namespace moves;</li>
 *   <li>integer keys and generated ids are 64-bit: a primary or foreign key column, an identity column, a column
 *       filled from a sequence, and a sequence itself must not be {@code smallint} or {@code integer};</li>
 *   <li>no foreign key leaves the namespace: a namespace's tables move together, and a table of another namespace
 *       or of the shared changelog may be on another server.</li>
 * </ul>
 *
 * <p>Also always checked, sharding or not: every relation a template makes carries its prefix, also when
 * {@code <sql>} made it (the structured changes' names are checked before they run).
 */
final class ShardingLint {

    /** Changes whenever a rule is added or changed, so that generated classes checked by an older lint regenerate. */
    static final String RULES = "primary-key bigint-keys foreign-keys-inside prefixed-relations v1";

    static final String PRIMARY_KEY = "every table has a primary key";
    static final String BIGINT = "integer keys and generated ids are 64-bit";
    static final String INSIDE = "foreign keys stay inside the namespace";
    static final String PREFIX = "every name starts with ${" + SchemaLayout.TABLE_PREFIX_PARAMETER + "}";

    private static final JooqLogger LOG = JooqLogger.getLogger(ShardingLint.class);

    /** How the build treats a template that breaks a sharding rule. */
    enum Mode {
        /** The build fails (the default). */
        FAIL,
        /** The problems are logged as warnings and generation goes on. */
        WARN,
        /** The sharding rules are not checked. */
        OFF;

        /**
         * @param value the property's value: {@code true} (or absent), {@code warn}, {@code false}
         * @return the mode
         * @throws IllegalStateException naming the property when the value is none of those
         */
        static Mode parse(String value) {
            String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "", "true" -> FAIL;
                case "warn" -> WARN;
                case "false" -> OFF;
                default -> throw new IllegalStateException(LiquibasePostgresDatabase.SHARDING_LINT
                        + " must be true (the default: a template that breaks a sharding rule fails the build), warn "
                        + "(log it) or false (do not check), not '" + value + "'");
            };
        }
    }

    /** One broken rule: where it was declared (null when unknown), the rule, what is wrong, why, how to fix it. */
    record Problem(String where, String rule, String what, String why, String fix) {
    }

    private final Mode mode;

    ShardingLint(Mode mode) {
        this.mode = mode;
    }

    /**
     * The tables and sequences of the current schema: taken before a template runs, so that what is new afterwards
     * is the template's.
     *
     * @param connection the scratch database
     * @return their names
     * @throws SQLException when the catalog cannot be read
     */
    static Set<String> relations(Connection connection) throws SQLException {
        Set<String> names = new HashSet<>();
        try (PreparedStatement s = connection.prepareStatement("SELECT c.relname FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'S')");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /**
     * Checks what a template run made: fails the build, or logs, when a rule is broken.
     *
     * @param connection the scratch database, the template applied
     * @param before     {@link #relations(Connection)} before the run
     * @param ignored    relations the run made that are not the template's (Liquibase's own tables)
     * @param run        the template run, with its prefix
     * @param changeLog  the template's parsed changelog, to name the file of each problem
     * @throws IllegalStateException listing every problem, in {@link Mode#FAIL}
     * @throws SQLException          when the catalog cannot be read
     */
    void check(Connection connection, Set<String> before, Set<String> ignored, Run run, DatabaseChangeLog changeLog)
            throws SQLException {
        Set<String> made = new TreeSet<>(relations(connection));
        made.removeAll(before);
        made.removeAll(ignored);
        ChangeSetOrigins origins = new ChangeSetOrigins(changeLog);
        Names names = new Names(run.tablePrefix());
        List<Problem> unprefixed = new ArrayList<>();
        for (String relation : made) {
            if (!relation.startsWith(run.tablePrefix())) {
                String where = origins.table(relation) != null ? origins.table(relation) : origins.sequence(relation);
                unprefixed.add(new Problem(where, PREFIX, relation + " was created without the prefix",
                        "every namespace of the template would share it",
                        "name it ${" + SchemaLayout.TABLE_PREFIX_PARAMETER + "}" + relation
                                + " where the template creates it"));
            }
        }
        if (!unprefixed.isEmpty()) {
            throw new IllegalStateException(report(run, unprefixed, false));
        }
        if (mode == Mode.OFF) {
            return;
        }
        Array mine = connection.createArrayOf("text", made.toArray());
        List<Problem> problems = new ShardingRules(connection, mine, names, origins).problems();
        if (problems.isEmpty()) {
            return;
        }
        if (mode == Mode.WARN) {
            LOG.warn(report(run, problems, true) + " (" + LiquibasePostgresDatabase.SHARDING_LINT + "=warn)");
        } else {
            throw new IllegalStateException(report(run, problems, true));
        }
    }

    private static String report(Run run, List<Problem> problems, boolean sharding) {
        StringBuilder out = new StringBuilder(run.description())
                .append(sharding ? " breaks the sharding rules" : " breaks the naming rule")
                .append(problems.size() == 1 ? " (1 problem):" : " (" + problems.size() + " problems):");
        for (Problem p : problems) {
            out.append("\n  - ").append(p.where() == null ? "" : p.where() + ": ")
                    .append(p.what()).append(" [rule: ").append(p.rule()).append("]: ").append(p.why())
                    .append(". Fix: ").append(p.fix()).append('.');
        }
        if (sharding) {
            out.append("\n  A build whose databases never shard can turn this check off with the code-generation "
                    + "database property ").append(LiquibasePostgresDatabase.SHARDING_LINT).append("=false (or ")
                    .append("=warn to only log it).");
        }
        return out.toString();
    }

    /** How a generated name reads in the template: {@code inventory_items} is {@code ${table.prefix}items}. */
    record Names(String prefix) {
        String template(String name) {
            return name.startsWith(prefix)
                    ? "${" + SchemaLayout.TABLE_PREFIX_PARAMETER + "}" + name.substring(prefix.length()) : name;
        }
    }
}
