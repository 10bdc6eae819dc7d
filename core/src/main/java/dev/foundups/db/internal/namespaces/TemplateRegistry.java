package dev.foundups.db.internal.namespaces;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_FINGERPRINTS;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_TEMPLATE_CHANGES;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.Dialect;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.internal.migration.SchemaFiles;
import dev.foundups.db.schema.SchemaLayout;
import dev.foundups.db.schema.SchemaLayout.TemplateFiles;
import liquibase.database.Database;

/**
 * The templates on the class path, each rendered for one dialect on first use and kept.
 *
 * <p>With a database to look in, a template whose files have the fingerprint stored when it was last rendered
 * there ({@code foundupsdb_fingerprints}) is made from the stored summary instead, and rendered only when its SQL
 * is needed: opening a database and using existing namespaces never starts Liquibase.
 */
public final class TemplateRegistry {

    private static final String TEMPLATE_ROW = "template:";

    private final Dialect dialect;
    private final ClassLoader classLoader;
    private final Map<String, TemplateFiles> files = new HashMap<>();
    private final Map<String, Template> rendered = new ConcurrentHashMap<>();
    /** The changelog files as read without Liquibase, or null (no database to compare with, or not listable). */
    private final SchemaFiles schemaFiles;
    /** Reads the stored fingerprints: row name to {fingerprint, summary, recorded}; null without a database. */
    private final Supplier<Map<String, String[]>> storedReader;
    private volatile Map<String, String[]> stored;

    /**
     * Finds the templates on a class path.
     *
     * @param dialect     the dialect to render them for
     * @param classLoader where the changelogs are
     */
    public TemplateRegistry(Dialect dialect, ClassLoader classLoader) {
        this(dialect, classLoader, null);
    }

    /**
     * Finds the templates on a class path, using the summaries stored in a database where their files have not
     * changed.
     *
     * @param dialect     the dialect to render them for
     * @param classLoader where the changelogs are
     * @param database    the database's shared context, or null
     */
    public TemplateRegistry(Dialect dialect, ClassLoader classLoader, DSLContext database) {
        this(dialect, classLoader, database, () -> SchemaFiles.scan(classLoader));
    }

    /**
     * As {@link #TemplateRegistry(Dialect, ClassLoader, DSLContext)}, with the changelog files read already.
     *
     * @param dialect     the dialect to render them for
     * @param classLoader where the changelogs are
     * @param database    the database's shared context
     * @param scan        the files {@link SchemaFiles#scan} reads from {@code classLoader}
     */
    public TemplateRegistry(Dialect dialect, ClassLoader classLoader, DSLContext database,
                            Supplier<Optional<SchemaFiles>> scan) {
        this.dialect = dialect;
        this.classLoader = classLoader;
        SchemaFiles scanned = database == null ? null : scan.get().orElse(null);
        this.schemaFiles = scanned;
        this.storedReader = database == null ? null : () -> readStored(database);
        List<TemplateFiles> found = scanned != null ? SchemaLayout.templates(scanned.paths())
                : SchemaLayout.templates(classLoader);
        for (TemplateFiles template : found) {
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
        return Optional.of(rendered.computeIfAbsent(key, k -> load(kind, template)));
    }

    private Template load(NamespaceKind kind, TemplateFiles template) {
        Supplier<Template> render = () -> Template.load(kind, template, offlineDatabase(), classLoader);
        if (schemaFiles == null) {
            return render.get();
        }
        Set<String> own = Set.copyOf(template.files());
        String fingerprint = schemaFiles.fingerprint(dialect.name(),
                path -> own.contains(path) || path.equals(SchemaLayout.PROPERTIES_CHANGELOG));
        String[] row = stored().get(fingerprintName(kind, template.name()));
        if (row != null && Template.storedFingerprint(fingerprint, row[2]).equals(row[0])) {
            Template known = Template.fromSummary(kind, template.name(), row[1], fingerprint, render);
            if (known != null) {
                return known;
            }
        }
        return render.get().withFingerprint(fingerprint);
    }

    private Map<String, String[]> stored() {
        Map<String, String[]> result = stored;
        if (result == null) {
            result = storedReader.get();
            stored = result;
        }
        return result;
    }

    /** @return row name to {stored fingerprint, summary, the template's recorded changesets} */
    private static Map<String, String[]> readStored(DSLContext database) {
        Map<String, String[]> result = new HashMap<>();
        try {
            for (var row : database.selectFrom(FOUNDUPSDB_FINGERPRINTS)
                    .where(FOUNDUPSDB_FINGERPRINTS.NAME.like(TEMPLATE_ROW + "%")).fetch()) {
                result.put(row.getName(), new String[] {row.getFingerprint(), row.getSummary(), ""});
            }
            if (!result.isEmpty()) {
                var changes = FOUNDUPSDB_TEMPLATE_CHANGES;
                for (var row : database.selectFrom(changes)
                        .orderBy(changes.KIND, changes.TEMPLATE, changes.SEQ).fetch()) {
                    String[] stored = result.get(TEMPLATE_ROW + row.getKind() + ":" + row.getTemplate());
                    if (stored != null) {
                        stored[2] += Template.recordedLine(row.getSeq(), row.getChangeset(), row.getChecksum());
                    }
                }
            }
        } catch (DataAccessException noTableYet) {
            // A database not yet brought up to date (opened without schema changes): render as before.
        }
        return result;
    }

    /**
     * @param kind module or FoundUp
     * @param name the template's name
     * @return the template's row name in {@code foundupsdb_fingerprints}
     */
    static String fingerprintName(NamespaceKind kind, String name) {
        return TEMPLATE_ROW + kind.catalogValue() + ":" + name;
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
