package dev.foundups.db.codegen;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.sql.DataSource;

import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Jdbc;

import dev.foundups.db.schema.SchemaLayout;
import dev.foundups.db.schema.SchemaLayout.TemplateFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.UpdateSummaryEnum;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.CompositeResourceAccessor;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.ui.LoggerUIService;

/**
 * Generates the typed jOOQ classes from the changelogs.
 *
 * <p>Run by core's build in {@code generate-sources}: {@code SchemaCodegen OUTPUT_DIR PACKAGE}. It starts a scratch
 * PostgreSQL, applies the shared changelog and every template (each with its code-generation prefix, so the FoundUp
 * template's {@code users} table becomes {@code foundup_users} and the class {@code FoundupUsers}) with the real
 * Liquibase, then runs jOOQ's code generator on that database. PostgreSQL keeps every declared type, so the
 * generated Java types are exact; SQLite would report most of them as text.
 *
 * <p>Nothing is regenerated when neither the changelogs nor the generator's configuration changed since the last
 * run: the fingerprint of its inputs is kept beside the output folder.
 */
public final class SchemaCodegen {

    /** Held so the level sticks: java.util.logging keeps loggers weakly. */
    private static final Logger QUIET_LIQUIBASE = Logger.getLogger("liquibase");

    private static final String CONFIG = "/dev/foundups/db/codegen/jooq-codegen.xml";

    private SchemaCodegen() {
    }

    /**
     * Entry point for the build.
     *
     * @param args the output folder and the package of the generated classes
     * @throws Exception when generation fails; the build fails with it
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: SchemaCodegen OUTPUT_DIR PACKAGE");
        }
        generate(Path.of(args[0]).toAbsolutePath(), args[1]);
    }

    static void generate(Path outputDir, String packageName) throws Exception {
        QUIET_LIQUIBASE.setLevel(Level.WARNING);
        ClassLoader loader = SchemaCodegen.class.getClassLoader();
        List<TemplateFiles> templates = SchemaLayout.templates(loader);
        String fingerprint = fingerprint(loader, packageName);
        Path stamp = outputDir.resolveSibling(outputDir.getFileName() + ".fingerprint");
        if (Files.isDirectory(outputDir) && Files.exists(stamp)
                && Files.readString(stamp, StandardCharsets.UTF_8).equals(fingerprint)) {
            System.out.println("[foundups-codegen] changelogs unchanged, generated classes are up to date");
            return;
        }
        Path scratch = Files.createTempDirectory("foundups-codegen");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            DataSource dataSource = postgres.getPostgresDatabase();
            applyChangelogs(dataSource, loader, templates, scratch);
            Configuration config = loadConfig();
            config.withJdbc(new Jdbc()
                    .withDriver("org.postgresql.Driver")
                    .withUrl(postgres.getJdbcUrl("postgres", "postgres"))
                    .withUser("postgres")
                    .withPassword("postgres"));
            config.getGenerator().getTarget()
                    .withDirectory(outputDir.toString())
                    .withPackageName(packageName);
            GenerationTool.generate(config);
        } finally {
            deleteRecursively(scratch);
        }
        Files.writeString(stamp, fingerprint, StandardCharsets.UTF_8);
        System.out.println("[foundups-codegen] generated " + templates.size() + " template(s) into " + outputDir);
    }

    private static void applyChangelogs(DataSource dataSource, ClassLoader loader, List<TemplateFiles> templates,
                                        Path scratch) throws Exception {
        for (TemplateFiles template : templates) {
            if (template.kind() == SchemaLayout.TemplateKind.MODULE
                    && (template.name().equals(SchemaLayout.FOUNDUP_TEMPLATE) || template.name().equals("agents")
                        || template.name().startsWith("foundupsdb"))) {
                throw new IllegalStateException("module template '" + template.name()
                        + "' clashes with a reserved name (foundup, agents, foundupsdb*): rename its folder");
            }
        }
        try (Connection connection = dataSource.getConnection()) {
            Database database = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            var accessor = new CompositeResourceAccessor(
                    new DirectoryResourceAccessor(scratch), new ClassLoaderResourceAccessor(loader));
            Map<String, Object> scope = Map.of(
                    Scope.Attr.ui.name(), new LoggerUIService(),
                    "liquibase.analytics.enabled", false);
            Scope.child(scope, () -> {
                update(new Liquibase(SchemaLayout.SHARED_CHANGELOG, accessor, database), null);
                for (TemplateFiles template : templates) {
                    String master = "codegen-" + template.kind().name().toLowerCase() + "-" + template.name() + ".xml";
                    Files.writeString(scratch.resolve(master), masterChangelog(template), StandardCharsets.UTF_8);
                    update(new Liquibase(master, accessor, database), template.codegenPrefix());
                }
            });
        }
    }

    private static void update(Liquibase liquibase, String prefix) throws Exception {
        liquibase.setShowSummary(UpdateSummaryEnum.OFF); // its summary goes to stdout, past the log level
        if (prefix != null) {
            liquibase.setChangeLogParameter(SchemaLayout.TABLE_PREFIX_PARAMETER, prefix);
        }
        liquibase.update(new Contexts(), new LabelExpression());
    }

    /** A changelog that includes the dialect properties, then the template's files in their order. */
    static String masterChangelog(TemplateFiles template) {
        StringBuilder xml = new StringBuilder()
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\"\n")
                .append("    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n")
                .append("    xsi:schemaLocation=\"http://www.liquibase.org/xml/ns/dbchangelog\n")
                .append("      http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd\">\n")
                .append("  <include file=\"").append(SchemaLayout.PROPERTIES_CHANGELOG).append("\"/>\n");
        for (String file : template.files()) {
            xml.append("  <include file=\"").append(file).append("\"/>\n");
        }
        return xml.append("</databaseChangeLog>\n").toString();
    }

    private static Configuration loadConfig() throws IOException {
        try (InputStream in = SchemaCodegen.class.getResourceAsStream(CONFIG)) {
            if (in == null) {
                throw new IllegalStateException("missing " + CONFIG + " on the class path");
            }
            return GenerationTool.load(in);
        }
    }

    /** Hash of everything that shapes the output: changelogs, generator configuration, package name. */
    static String fingerprint(ClassLoader loader, String packageName)
            throws IOException, NoSuchAlgorithmException {
        // Every changelog under db/foundups (shared, properties, templates), and the generator's configuration.
        List<String> inputs = new ArrayList<>(List.of(CONFIG.substring(1)));
        try (ClassLoaderResourceAccessor accessor = new ClassLoaderResourceAccessor(loader)) {
            for (var resource : accessor.search("db/foundups/", true)) {
                inputs.add(resource.getPath().replaceFirst("^/+", ""));
            }
        } catch (Exception e) {
            throw new IOException("cannot list db/foundups on the class path", e);
        }
        inputs = inputs.stream().distinct().sorted().toList();
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(packageName.getBytes(StandardCharsets.UTF_8));
        for (String input : inputs) {
            try (InputStream in = loader.getResourceAsStream(input)) {
                if (in == null) {
                    throw new IOException("cannot read " + input + " from the class path");
                }
                digest.update(input.getBytes(StandardCharsets.UTF_8));
                digest.update(in.readAllBytes());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
