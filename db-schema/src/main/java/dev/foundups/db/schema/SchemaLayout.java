package dev.foundups.db.schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import liquibase.Scope;
import liquibase.change.Change;
import liquibase.change.ChangeFactory;
import liquibase.change.ChangeParameterMetaData;
import liquibase.change.ChangeWithColumns;
import liquibase.change.ColumnConfig;
import liquibase.change.ConstraintsConfig;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.Resource;

/**
 * Where the changelogs live on the classpath, how templates are found there, and which names in a template must
 * carry its prefix.
 *
 * <p>The code generator and the runtime both read the changelogs through this class, so the two can never disagree
 * about which files make up a template, in which order they run, or which names a template may write.
 *
 * <pre>
 * db/foundups/changelog.xml                      shared tables (system catalog + agents), run by Liquibase
 * db/foundups/properties.xml                     dialect-specific types, included before every changelog
 * db/foundups/templates/foundup/NNN-*.xml        the FoundUp template, one copy per FoundUp
 * db/foundups/templates/modules/NAME/NNN-*.xml   one template per module
 * </pre>
 */
public final class SchemaLayout {

    /** Classpath location of the changelog Liquibase runs for the shared (system and agents) tables. */
    public static final String SHARED_CHANGELOG = "db/foundups/changelog.xml";

    /** Classpath location of the dialect properties every template file is parsed with. */
    public static final String PROPERTIES_CHANGELOG = "db/foundups/properties.xml";

    /** The changelog parameter that templates put in front of every table, index and constraint name. */
    public static final String TABLE_PREFIX_PARAMETER = "table.prefix";

    /** Name of the one FoundUp template. */
    public static final String FOUNDUP_TEMPLATE = "foundup";

    /** Change parameters that name an object (a table, index, constraint, view, sequence, trigger or key). */
    private static final Pattern NAME_PARAMETER = Pattern.compile(
            "(?i).*(table|index|constraint|view|sequence|trigger|primarykey|foreignkey)name");

    static final String TEMPLATES_ROOT = "db/foundups/templates/";
    static final String FOUNDUP_DIR = TEMPLATES_ROOT + "foundup/";
    static final String MODULES_DIR = TEMPLATES_ROOT + "modules/";

    private SchemaLayout() {
    }

    /** The kind of namespace a template is instantiated for. */
    public enum TemplateKind {
        /** {@code modules_<module>_<table>}: a platform module's own tables. */
        MODULE,
        /** {@code foundups_<foundup>_<table>}: one copy per FoundUp project. */
        FOUNDUP
    }

    /**
     * One template: its kind, its name and its changeset files in the order they apply.
     *
     * @param kind  module or FoundUp
     * @param name  the template's name ({@code foundup}, or the module's name)
     * @param files classpath paths of its changelog files, sorted by file name
     */
    public record TemplateFiles(TemplateKind kind, String name, List<String> files) {
        public TemplateFiles {
            files = List.copyOf(files);
        }

        /**
         * The prefix the code generator gives this template's tables, so that generated classes read
         * {@code FoundupUsers} and {@code ChatRulesTimeouts}.
         *
         * @return {@code name + "_"}
         */
        public String codegenPrefix() {
            return name + "_";
        }
    }

    /**
     * Finds every template on the class path.
     *
     * @param classLoader where the changelogs are
     * @return the FoundUp template first, then module templates by name; never null
     * @throws UncheckedIOException when the class path cannot be read
     */
    public static List<TemplateFiles> templates(ClassLoader classLoader) {
        List<String> paths = new ArrayList<>();
        try (ClassLoaderResourceAccessor accessor = new ClassLoaderResourceAccessor(classLoader)) {
            for (Resource resource : accessor.search(TEMPLATES_ROOT, true)) {
                paths.add(resource.getPath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the templates under " + TEMPLATES_ROOT, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot list the templates under " + TEMPLATES_ROOT + ": " + e, e);
        }
        return templates(paths);
    }

    /**
     * Groups class path locations into templates, by the same rules as {@link #templates(ClassLoader)}: for callers
     * that listed the files themselves.
     *
     * @param paths class path locations, such as {@code db/foundups/templates/foundup/001-users.xml}; others are
     *              ignored
     * @return the FoundUp template first, then module templates by name; never null
     */
    public static List<TemplateFiles> templates(Collection<String> paths) {
        Map<String, List<String>> modules = new TreeMap<>();
        List<String> foundup = new ArrayList<>();
        for (String raw : paths) {
            String path = normalise(raw);
            if (!path.endsWith(".xml") || foundup.contains(path)) {
                continue;
            }
            if (path.startsWith(FOUNDUP_DIR) && path.indexOf('/', FOUNDUP_DIR.length()) < 0) {
                foundup.add(path);
            } else if (path.startsWith(MODULES_DIR)) {
                String rest = path.substring(MODULES_DIR.length());
                int slash = rest.indexOf('/');
                if (slash > 0 && rest.indexOf('/', slash + 1) < 0) {
                    List<String> files = modules.computeIfAbsent(rest.substring(0, slash), k -> new ArrayList<>());
                    if (!files.contains(path)) {
                        files.add(path);
                    }
                }
            }
        }
        List<TemplateFiles> result = new ArrayList<>();
        if (!foundup.isEmpty()) {
            result.add(new TemplateFiles(TemplateKind.FOUNDUP, FOUNDUP_TEMPLATE, sorted(foundup)));
        }
        modules.forEach((name, files) -> result.add(new TemplateFiles(TemplateKind.MODULE, name, sorted(files))));
        return List.copyOf(result);
    }

    private static List<String> sorted(List<String> files) {
        // Same order as Liquibase's includeAll: by path, which within one folder is by file name.
        List<String> copy = new ArrayList<>(files);
        copy.sort(null);
        return copy;
    }

    private static String normalise(String path) {
        String p = path.replace('\\', '/');
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p;
    }

    /**
     * A name that a template's change gives an object or refers to one by.
     *
     * @param parameter the change's parameter that holds it, such as {@code indexName} or {@code references}
     * @param name      its value, with {@code ${table.prefix}} already substituted
     */
    public record ObjectName(String parameter, String name) {

        /** @return what is wrong with this name when it lacks the template's prefix, to lead an error message */
        public String missingPrefix() {
            return parameter + " '" + name + "' must start with ${" + TABLE_PREFIX_PARAMETER + "}";
        }
    }

    /**
     * Every object name a change holds: its name parameters ({@code tableName}, {@code indexName},
     * {@code constraintName}, ...) and its columns' key constraints and references. In a template each must start
     * with {@code ${table.prefix}}: index and constraint names are global in a SQLite file, so an unprefixed one
     * would clash with the next namespace's, and the generated classes map only prefixed tables. The code generator
     * and the run time both check it with this list.
     *
     * @param change a parsed change, inside a Liquibase scope
     * @return the names, in the order the change declares them
     */
    public static List<ObjectName> objectNames(Change change) {
        List<ObjectName> names = new ArrayList<>();
        var meta = Scope.getCurrentScope().getSingleton(ChangeFactory.class).getChangeMetaData(change);
        for (ChangeParameterMetaData parameter : meta.getParameters().values()) {
            if (NAME_PARAMETER.matcher(parameter.getParameterName()).matches()
                    && parameter.getCurrentValue(change) instanceof String value) {
                names.add(new ObjectName(parameter.getParameterName(), value));
            }
        }
        if (change instanceof ChangeWithColumns<?> withColumns) {
            for (ColumnConfig column : withColumns.getColumns()) {
                ConstraintsConfig c = column.getConstraints();
                if (c == null) {
                    continue;
                }
                String[][] named = {{"primaryKeyName", c.getPrimaryKeyName()},
                        {"foreignKeyName", c.getForeignKeyName()},
                        {"uniqueConstraintName", c.getUniqueConstraintName()},
                        {"references", c.getReferences()},
                        {"referencedTableName", c.getReferencedTableName()}};
                for (String[] pair : named) {
                    if (pair[1] != null) {
                        names.add(new ObjectName(pair[0], pair[1]));
                    }
                }
            }
        }
        return names;
    }
}
