package dev.foundups.db.internal.namespaces;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.migration.LiquibaseScope;
import dev.foundups.db.internal.migration.SchemaFiles;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.naming.NamespaceName;
import dev.foundups.db.schema.SchemaLayout;
import dev.foundups.db.schema.SchemaLayout.TemplateFiles;
import liquibase.Scope;
import liquibase.change.Change;
import liquibase.change.DbmsTargetedChange;
import liquibase.change.core.CreateTableChange;
import liquibase.change.core.RenameTableChange;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.ChecksumVersion;
import liquibase.database.Database;
import liquibase.database.DatabaseList;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.sql.Sql;
import liquibase.sqlgenerator.SqlGeneratorFactory;
import liquibase.statement.SqlStatement;

/**
 * A module or FoundUp template, rendered once per dialect into SQL that any namespace can apply.
 *
 * <p>The changelog files are parsed with a sentinel as {@code ${table.prefix}}, Liquibase's own SQL generators
 * turn each change into the dialect's DDL, and a namespace's statements are that DDL with the sentinel replaced by
 * the namespace's validated prefix. So a new namespace costs its DDL and nothing else: no Liquibase run, no tracking
 * table per namespace, no changelog parse.
 *
 * <p>Every table, index and constraint a template names must start with {@code ${table.prefix}}: index names are
 * global in a SQLite file, so an unprefixed one would clash with the next namespace's. Loading checks it.
 */
public final class Template {

    /** Stands in for {@code ${table.prefix}} in the rendered SQL. Lower-case, as the validated prefixes are. */
    static final String SENTINEL = "zzfdbprefixzz_";
    private static final String SENTINEL_UPPER = SENTINEL.toUpperCase(Locale.ROOT);

    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]*_");
    private static final Pattern TABLE_NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private final NamespaceKind kind;
    private final String name;
    private final int version;
    private final Set<String> tables;
    private final int longestSuffix;
    /** The rendered changesets; null until {@link #changes()} renders a template made from its summary. */
    private volatile List<Change> changes;
    /** Renders the files when the changesets are first needed; null when rendered already. */
    private final Supplier<Template> renderer;
    /** The fingerprint of the files this template was made from, or null when unknown. */
    private final String fingerprint;

    /** One changeset, ready to apply. */
    record Change(int seq, String id, String checksum, List<String> sql) {
    }

    private Template(NamespaceKind kind, String name, List<Change> changes, Set<String> tables, int longestSuffix) {
        this(kind, name, changes.size(), tables, longestSuffix, List.copyOf(changes), null, null);
    }

    private Template(NamespaceKind kind, String name, int version, Set<String> tables, int longestSuffix,
                     List<Change> changes, Supplier<Template> renderer, String fingerprint) {
        this.kind = kind;
        this.name = name;
        this.version = version;
        this.tables = Collections.unmodifiableSet(tables);
        this.longestSuffix = longestSuffix;
        this.changes = changes;
        this.renderer = renderer;
        this.fingerprint = fingerprint;
    }

    /**
     * This template, marked as made from files of the given fingerprint.
     *
     * @param fingerprint the fingerprint of its files
     * @return a template with the same content
     */
    Template withFingerprint(String fingerprint) {
        return new Template(kind, name, version, tables, longestSuffix, changes(), null, fingerprint);
    }

    /**
     * A template known from the summary stored when files of the same fingerprint were last rendered and checked
     * against the database: what naming, table mapping and version comparisons need, without Liquibase. Its SQL is
     * rendered from the files when first needed (creating or migrating a namespace).
     *
     * @param kind        module or FoundUp
     * @param name        the template's name
     * @param summary     what {@link #summary()} returned then
     * @param fingerprint the fingerprint of the files
     * @param renderer    renders the files
     * @return the template, or null when the summary is not in the form this release writes
     */
    static Template fromSummary(NamespaceKind kind, String name, String summary, String fingerprint,
                                Supplier<Template> renderer) {
        String[] parts = summary == null ? new String[0] : summary.split(";", -1);
        if (parts.length != 4 || !"1".equals(parts[0])) {
            return null;
        }
        try {
            Set<String> tables = new LinkedHashSet<>();
            for (String table : parts[3].split(",")) {
                if (!TABLE_NAME.matcher(table).matches()) {
                    return null;
                }
                tables.add(table);
            }
            return new Template(kind, name, Integer.parseInt(parts[1]), tables, Integer.parseInt(parts[2]), null,
                    renderer, fingerprint);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** @return version, longest name suffix and tables, for {@link #fromSummary} */
    String summary() {
        return "1;" + version + ";" + longestSuffix + ";" + String.join(",", tables);
    }

    /** @return the fingerprint of the files this template was made from, or null */
    String fingerprint() {
        return fingerprint;
    }

    /**
     * What {@code foundupsdb_fingerprints} stores for a template: its files' fingerprint together with the
     * changesets recorded for it in {@code foundupsdb_template_changes}, so an edited record takes the full path.
     *
     * @param filesFingerprint the fingerprint of the template's files
     * @param recorded         the recorded changesets, as {@link #recordedLine} lines in order
     * @return hex SHA-256
     */
    static String storedFingerprint(String filesFingerprint, String recorded) {
        return SchemaFiles.sha256(filesFingerprint, recorded);
    }

    /** @return one recorded changeset, as {@link #storedFingerprint} takes it */
    static String recordedLine(int seq, String changeset, String checksum) {
        return seq + "\t" + changeset + "\t" + checksum + "\n";
    }

    /** @return this template's changesets as they are recorded once applied: {@link #recordedLine} lines */
    String recordedLines() {
        StringBuilder lines = new StringBuilder();
        for (Change change : changes()) {
            lines.append(recordedLine(change.seq(), change.id(), change.checksum()));
        }
        return lines.toString();
    }

    /**
     * @return whether this template was made from a stored summary: its changesets were checked against the
     *         database's record when the summary was stored, and the files have not changed since
     */
    boolean fromStoredSummary() {
        return renderer != null;
    }

    /** @return module or FoundUp */
    public NamespaceKind kind() {
        return kind;
    }

    /** @return the template's name: {@code foundup}, or the module's name */
    public String name() {
        return name;
    }

    /** @return how many changesets the template has; a namespace at this version is up to date */
    public int version() {
        return version;
    }

    /** @return the longest name this template allows for a namespace of its kind */
    public int maxNameLength() {
        return NamespaceName.maxLength(kind, longestSuffix);
    }

    List<Change> changes() {
        List<Change> rendered = changes;
        if (rendered == null) {
            synchronized (this) {
                rendered = changes;
                if (rendered == null) {
                    Template full = renderer.get();
                    if (full.version() != version || !full.tables().equals(tables)) {
                        throw new FoundupsDbException(ErrorCode.MIGRATION, "the " + kind.catalogValue()
                                + " template '" + name + "' rendered differently from its stored summary");
                    }
                    rendered = full.changes();
                    changes = rendered;
                }
            }
        }
        return rendered;
    }

    /**
     * The generated-class table name of each template table, mapped to its physical name under a prefix, in the
     * order the template creates them (tables referenced by others come first).
     *
     * @param physicalPrefix a namespace's table prefix, such as {@code foundups_x_}
     * @return generated name (such as {@code foundup_users}) to physical name (such as {@code foundups_x_users})
     */
    public Map<String, String> tableMapping(String physicalPrefix) {
        Map<String, String> mapping = new LinkedHashMap<>();
        for (String table : tables) {
            mapping.put(name + "_" + table, physicalPrefix + table);
        }
        return mapping;
    }

    /** @return the template's table names without prefix, such as {@code users} */
    Set<String> tables() {
        return tables;
    }

    /**
     * The DDL that creating a namespace under a prefix runs, in order: what tools and benchmarks run by hand to
     * compare with the library.
     *
     * @param prefix a table prefix such as {@code foundups_x_}: lower-case letters, digits, underscores, ending in
     *               an underscore
     * @return the statements
     * @throws IllegalArgumentException for any other prefix
     */
    public List<String> statementsFor(String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix '" + prefix + "' must be lower-case letters, digits and "
                    + "underscores, start with a letter and end with '_'");
        }
        List<String> all = new ArrayList<>();
        for (Change change : changes()) {
            all.addAll(forPrefix(change, prefix));
        }
        return all;
    }

    /** The statements of one change with the sentinel replaced by a namespace's prefix. */
    static List<String> forPrefix(Change change, String prefix) {
        List<String> out = new ArrayList<>(change.sql().size());
        String upper = prefix.toUpperCase(Locale.ROOT);
        for (String sql : change.sql()) {
            out.add(sql.replace(SENTINEL, prefix).replace(SENTINEL_UPPER, upper));
        }
        return out;
    }

    /**
     * Parses and renders a template.
     *
     * @param kind     module or FoundUp
     * @param files    the template's changelog files
     * @param database an offline Liquibase database of the target dialect (offline, so DDL is not schema-qualified)
     * @param loader   where the changelog files are
     * @return the rendered template
     * @throws FoundupsDbException (MIGRATION) when a file cannot be parsed or names an object without the prefix
     */
    static Template load(NamespaceKind kind, TemplateFiles files, Database database, ClassLoader loader) {
        ClassLoaderResourceAccessor accessor = new ClassLoaderResourceAccessor(loader);
        try {
            return LiquibaseScope.call(Map.of(Scope.Attr.database.name(), database,
                    Scope.Attr.resourceAccessor.name(), accessor), () -> {
                ChangeLogParameters parameters = new ChangeLogParameters(database);
                parameters.set(SchemaLayout.TABLE_PREFIX_PARAMETER, SENTINEL);
                parse(SchemaLayout.PROPERTIES_CHANGELOG, parameters, accessor);
                List<Change> changes = new ArrayList<>();
                Set<String> tables = new LinkedHashSet<>();
                int longest = 0;
                for (String file : files.files()) {
                    for (ChangeSet changeSet : parse(file, parameters, accessor).getChangeSets()) {
                        if (!DatabaseList.definitionMatches(changeSet.getDbmsSet(), database, true)) {
                            continue;
                        }
                        List<String> sql = new ArrayList<>();
                        for (liquibase.change.Change change : changeSet.getChanges()) {
                            longest = Math.max(longest, checkNames(file, changeSet, change, tables));
                            if (change instanceof DbmsTargetedChange targeted
                                    && !DatabaseList.definitionMatches(targeted.getDbms(), database, true)) {
                                continue;
                            }
                            for (SqlStatement statement : change.generateStatements(database)) {
                                SqlGeneratorFactory generators = SqlGeneratorFactory.getInstance();
                                for (Sql generated : generators.generateSql(statement, database)) {
                                    sql.add(generated.toSql());
                                }
                            }
                        }
                        changeSet.clearCheckSum();
                        String checksum = changeSet.generateCheckSum(ChecksumVersion.latest()).toString();
                        changes.add(new Change(changes.size() + 1, changeSet.toString(false), checksum, sql));
                    }
                }
                for (String table : tables) {
                    longest = Math.max(longest, table.length());
                }
                return new Template(kind, files.name(), changes, tables, longest);
            });
        } catch (FoundupsDbException e) {
            throw e;
        } catch (Exception e) {
            throw new FoundupsDbException(ErrorCode.MIGRATION, "cannot load the " + kind.catalogValue() + " template '"
                    + files.name() + "': " + e.getMessage(), e);
        }
    }

    private static DatabaseChangeLog parse(String file, ChangeLogParameters parameters,
                                           ClassLoaderResourceAccessor accessor) throws Exception {
        return ChangeLogParserFactory.getInstance().getParser(file, accessor).parse(file, parameters, accessor);
    }

    /** Checks that every object name carries the prefix; collects table names; returns the longest suffix. */
    private static int checkNames(String file, ChangeSet changeSet, liquibase.change.Change change,
                                  Set<String> tables) {
        int longest = 0;
        for (SchemaLayout.ObjectName name : SchemaLayout.objectNames(change)) {
            if (!name.name().startsWith(SENTINEL)) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, file + ", changeset " + changeSet.getId() + ": "
                        + name.missingPrefix() + " so that each namespace gets its own copy (SQLite index names are "
                        + "global to the file)");
            }
            // A reference names its column too: "prefix_table(id)". The suffix that counts is the table's.
            String value = name.name();
            int end = value.indexOf('(');
            longest = Math.max(longest, (end < 0 ? value : value.substring(0, end)).length() - SENTINEL.length());
        }
        String created = change instanceof CreateTableChange create ? create.getTableName()
                : change instanceof RenameTableChange rename ? rename.getNewTableName() : null;
        if (created != null) {
            String table = created.substring(SENTINEL.length());
            // Table names end up in DROP TABLE and in the render mapping: hold them to the strict identifier rule.
            if (!TABLE_NAME.matcher(table).matches()) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, file + ", changeset " + changeSet.getId()
                        + ": table name '" + table + "' after ${" + SchemaLayout.TABLE_PREFIX_PARAMETER + "} must be "
                        + "lower-case letters, digits and underscores, starting with a letter");
            }
            tables.add(table);
        }
        return longest;
    }
}
