package dev.foundups.db.internal.namespaces;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.Dialect;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.schema.SchemaLayout;
import dev.foundups.db.schema.SchemaLayout.TemplateFiles;
import liquibase.database.Database;

/**
 * The templates on the class path, each rendered for one dialect on first use and kept.
 */
public final class TemplateRegistry {

    private final Dialect dialect;
    private final ClassLoader classLoader;
    private final Map<String, TemplateFiles> files = new HashMap<>();
    private final Map<String, Template> rendered = new ConcurrentHashMap<>();

    /**
     * Finds the templates on a class path.
     *
     * @param dialect     the dialect to render them for
     * @param classLoader where the changelogs are
     */
    public TemplateRegistry(Dialect dialect, ClassLoader classLoader) {
        this.dialect = dialect;
        this.classLoader = classLoader;
        for (TemplateFiles template : SchemaLayout.templates(classLoader)) {
            files.put(key(kindOf(template), template.name()), template);
        }
    }

    /**
     * @param kind module or FoundUp
     * @return the names of the templates of that kind on the class path, sorted
     */
    public List<String> names(NamespaceKind kind) {
        return files.values().stream().filter(f -> kindOf(f) == kind).map(TemplateFiles::name).sorted().toList();
    }

    /**
     * @param kind module or FoundUp
     * @param name the template's name
     * @return the rendered template, if the class path has one of that name
     */
    public Optional<Template> find(NamespaceKind kind, String name) {
        String key = key(kind, name);
        TemplateFiles template = files.get(key);
        if (template == null) {
            return Optional.empty();
        }
        return Optional.of(rendered.computeIfAbsent(key, k -> Template.load(kind, template, offlineDatabase(), classLoader)));
    }

    /**
     * @param kind module or FoundUp
     * @param name the template's name
     * @return the rendered template
     * @throws FoundupsDbException (CONFIGURATION) saying where the template's files belong when there is none
     */
    public Template require(NamespaceKind kind, String name) {
        return find(kind, name).orElseThrow(() -> new FoundupsDbException(ErrorCode.CONFIGURATION,
                "no " + kind.catalogValue() + " template named '" + name + "' on the class path: add its changelog "
                        + "files under db/foundups/templates/" + (kind == NamespaceKind.MODULE ? "modules/" + name
                        : name) + "/ (see README, 'How to add a table')"));
    }

    private Database offlineDatabase() {
        return DialectStrategy.of(dialect).offlineLiquibaseDatabase();
    }

    private static NamespaceKind kindOf(TemplateFiles template) {
        return template.kind() == SchemaLayout.TemplateKind.MODULE ? NamespaceKind.MODULE : NamespaceKind.FOUNDUP;
    }

    private static String key(NamespaceKind kind, String name) {
        return kind.name() + ":" + name;
    }
}
