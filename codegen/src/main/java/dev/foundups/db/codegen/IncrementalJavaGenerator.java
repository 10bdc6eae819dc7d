package dev.foundups.db.codegen;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.jooq.codegen.JavaGenerator;
import org.jooq.meta.Database;
import org.jooq.meta.jaxb.ForcedType;
import org.jooq.tools.JooqLogger;

/**
 * jOOQ's {@link JavaGenerator} that does nothing when nothing changed: it compares a fingerprint of the changelogs,
 * the generator's and database's configuration and the jOOQ version with the stamp written after its last
 * successful run, and when they match (and the generated classes are still there) returns before the database
 * starts. With {@link LiquibasePostgresDatabase}, an unchanged build therefore starts no PostgreSQL.
 *
 * <pre>
 * &lt;generator&gt;
 *   &lt;name&gt;dev.foundups.db.codegen.IncrementalJavaGenerator&lt;/name&gt;
 *   &lt;database&gt;&lt;name&gt;dev.foundups.db.codegen.LiquibasePostgresDatabase&lt;/name&gt;...&lt;/database&gt;
 *   ...
 * &lt;/generator&gt;
 * </pre>
 *
 * <p>The stamp is a text file beside the target folder ({@code target/generated-sources/jooq.fingerprint}) listing
 * what the fingerprint covers, so comparing two stamps shows why a run regenerated. Delete it, or run
 * {@code mvn clean}, to force a run. With any other database it always generates: it cannot know that database's
 * inputs.
 */
public class IncrementalJavaGenerator extends JavaGenerator {

    private static final JooqLogger LOG = JooqLogger.getLogger(IncrementalJavaGenerator.class);

    /** Called by jOOQ's code generator, which configures the generator through its setters. */
    public IncrementalJavaGenerator() {
    }

    @Override
    public void generate(Database database) {
        Path target = Path.of(getTargetDirectory());
        Path stamp = target.resolveSibling(target.getFileName() + ".fingerprint");
        String fingerprint = database instanceof LiquibasePostgresDatabase changelogs
                ? fingerprint(changelogs) : null;
        if (fingerprint != null && upToDate(target, stamp, fingerprint)) {
            LOG.info("Generated classes are up to date: changelogs and configuration unchanged (" + stamp + ")");
            // Nothing was generated, so jOOQ would report every configured forced type as unused.
            for (ForcedType forcedType : database.getConfiguredForcedTypes()) {
                database.markUsed(forcedType);
            }
            return;
        }
        try {
            // A run that fails half-way must not leave a stamp that a later run could match.
            Files.deleteIfExists(stamp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + stamp, e);
        }
        if (database instanceof LiquibasePostgresDatabase changelogs) {
            // Start here rather than on jOOQ's first query, so a bad changelog fails with its own message.
            changelogs.start();
        }
        super.generate(database);
        if (fingerprint != null) {
            try {
                Files.createDirectories(stamp.getParent());
                Files.writeString(stamp, fingerprint, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + stamp, e);
            }
        }
    }

    private static boolean upToDate(Path target, Path stamp, String fingerprint) {
        if (!Files.isRegularFile(stamp) || !Files.isDirectory(target)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(target)) {
            return files.anyMatch(p -> p.toString().endsWith(".java"))
                    && Files.readString(stamp, StandardCharsets.UTF_8).equals(fingerprint);
        } catch (IOException e) {
            return false; // unreadable: generate again
        }
    }

    /**
     * Everything the generated classes depend on, one item a line: the jOOQ version, the generator's and the
     * database's settings, and the hash of every changelog file.
     */
    String fingerprint(LiquibasePostgresDatabase database) {
        List<String> lines = new ArrayList<>();
        lines.add("jooq " + org.jooq.Constants.FULL_VERSION + " codegen " + org.jooq.codegen.Constants.FULL_VERSION
                + " meta " + org.jooq.meta.Constants.FULL_VERSION);
        lines.add("generator " + getClass().getName() + " strategy " + getStrategy().getClass().getName());
        lines.addAll(settings(this, "generator", "generate", "use", "getTarget"));
        lines.add("database " + database.getClass().getName());
        // A newer lint must check templates that an older one passed, though they did not change.
        lines.add("lint " + ShardingLint.RULES);
        Properties properties = database.getProperties() == null ? new Properties() : database.getProperties();
        properties.stringPropertyNames().stream().sorted()
                .forEach(k -> lines.add("database property " + k + "=" + properties.getProperty(k)));
        lines.add("database includes " + Arrays.toString(database.getIncludes()) + " excludes "
                + Arrays.toString(database.getExcludes()) + " includeSql " + database.getIncludeSql()
                + " excludeSql " + database.getExcludeSql());
        lines.addAll(settings(database, "database", "getInclude", "getForce", "getJavaTimeTypes",
                "getDateAsTimestamp", "getSupportsUnsignedTypes", "getIntegerDisplayWidths", "getReadonly"));
        for (ForcedType forcedType : database.getConfiguredForcedTypes()) {
            lines.add("database forcedType " + forcedType.toString().replaceAll("\\s*\\R\\s*", ""));
        }
        // getOutputSchema only looks the mapping up; the input schema must be configured (it is "public").
        lines.add("database schema public -> '" + database.getOutputSchema("", "public") + "'");
        lines.addAll(database.inputFingerprint());
        return String.join("\n", lines) + "\n";
    }

    /**
     * The plain settings of a configured object: its public getters without parameters, whose names start with one
     * of the prefixes, that return a primitive, a string, a locale or an enum. They only read configured fields; a
     * new jOOQ setting is covered without listing it here.
     */
    private static List<String> settings(Object configured, String label, String... prefixes) {
        List<String> lines = new ArrayList<>();
        Method[] methods = configured.getClass().getMethods();
        Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method m : methods) {
            Class<?> type = m.getReturnType();
            boolean plain = type.isPrimitive() || type.isEnum() || type == String.class || type == Boolean.class
                    || type == Integer.class || type == java.util.Locale.class;
            if (m.getParameterCount() != 0 || type == void.class || !plain
                    || Arrays.stream(prefixes).noneMatch(m.getName()::startsWith)) {
                continue;
            }
            try {
                lines.add(label + " " + m.getName() + "=" + m.invoke(configured));
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read the setting " + m.getName() + " of " + label, e);
            }
        }
        return lines;
    }
}
