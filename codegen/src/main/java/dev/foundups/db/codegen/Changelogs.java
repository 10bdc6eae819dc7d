package dev.foundups.db.codegen;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.foundups.db.schema.SchemaLayout;
import dev.foundups.db.schema.SchemaLayout.TemplateFiles;
import dev.foundups.db.schema.SchemaLayout.TemplateKind;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.DirectoryResourceAccessor;
import liquibase.resource.ResourceAccessor;

/**
 * The changelogs a scratch database is built from, in the order they apply, and the files they are read from.
 *
 * <p>Two sources: the project's own layout on the class path (the shared changelog, then every template under
 * {@code db/foundups/templates/}), or one module template's folder in a module author's source tree. Templates are
 * applied with their code-generation prefix ({@code <name>_}), which the run-time render mapping expects in front of
 * every generated table name.
 */
final class Changelogs {

    /** Module names follow the namespace rule; a name the library would refuse must not get generated classes. */
    private static final Pattern MODULE_NAME = Pattern.compile("[a-z][a-z0-9_]*");

    /**
     * One Liquibase run.
     *
     * @param description what it is, for messages: "the shared changelog", "module template 'chat_rules'"
     * @param changelog   path of the changelog Liquibase starts from
     * @param content     the changelog's text when it is generated (a template's master), or null when it is a file
     * @param tablePrefix the template's code-generation prefix, or null for the shared changelog
     */
    record Run(String description, String changelog, String content, String tablePrefix) {
    }

    private final List<Run> runs;
    private final List<ResourceAccessor> accessors;
    private final Map<String, Source> inputs;

    /** Where an input file is read from, so that the fingerprint sees exactly what Liquibase will read. */
    private interface Source {
        InputStream open() throws IOException;
    }

    private Changelogs(List<Run> runs, List<ResourceAccessor> accessors, Map<String, Source> inputs) {
        this.runs = List.copyOf(runs);
        this.accessors = List.copyOf(accessors);
        this.inputs = inputs;
    }

    /**
     * The project's own layout: the shared changelog and every template found on the class path.
     *
     * @param loader where {@code db/foundups/} is
     * @return the changelogs
     * @throws IllegalStateException when a module template has a reserved or invalid name
     */
    static Changelogs fromClassPath(ClassLoader loader) {
        List<Run> runs = new ArrayList<>();
        runs.add(new Run("the shared changelog", SchemaLayout.SHARED_CHANGELOG, null, null));
        for (TemplateFiles template : SchemaLayout.templates(loader)) {
            if (template.kind() == TemplateKind.MODULE) {
                checkModuleName(template.name(), "db/foundups/templates/modules/" + template.name());
            }
            String kind = template.kind() == TemplateKind.MODULE ? "module" : "foundup";
            runs.add(new Run(kind + " template '" + template.name() + "'",
                    "codegen-" + kind + "-" + template.name() + ".xml",
                    masterChangelog(template.files()), template.codegenPrefix()));
        }
        // Every file under db/foundups: the changelogs, the properties, files that changelogs include.
        Map<String, Source> inputs = new TreeMap<>();
        try (ClassLoaderResourceAccessor accessor = new ClassLoaderResourceAccessor(loader)) {
            for (var resource : accessor.search("db/foundups/", true)) {
                String path = resource.getPath().replaceFirst("^/+", "");
                inputs.put("classpath:" + path, () -> open(loader, path));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot list db/foundups/ on the class path: " + e.getMessage(), e);
        }
        return new Changelogs(runs, List.of(new ClassLoaderResourceAccessor(loader)), inputs);
    }

    /**
     * One module template from its source folder: a module author's changelogs are read where they are written,
     * because resources are copied to the class path only after {@code generate-sources}.
     *
     * @param root       the folder that template paths are relative to, such as the project's base directory
     * @param folder     the template's folder, holding its {@code NNN-*.xml} files
     * @param moduleName the module's name, which is also its code-generation prefix without the {@code _}
     * @param loader     where {@code db/foundups/properties.xml} is (the FoundUps DB schema jar)
     * @return the changelogs
     * @throws IllegalStateException when the folder holds no changelog, or the name is reserved or invalid
     */
    static Changelogs fromFolder(Path root, Path folder, String moduleName, ClassLoader loader) {
        Path base = folder.startsWith(root) ? root : folder.getParent();
        String shown = base.relativize(folder).toString().replace('\\', '/');
        checkModuleName(moduleName, shown);
        List<String> files;
        try (Stream<Path> list = Files.list(folder)) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".xml") && Files.isRegularFile(p))
                    .map(p -> base.relativize(p).toString().replace('\\', '/'))
                    .sorted() // the order the run time applies them in: by file name (SchemaLayout)
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException("templateFolder " + folder + " cannot be read: " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("templateFolder " + folder + " holds no changelog (*.xml)");
        }
        Run run = new Run("module template '" + moduleName + "' (" + shown + ")",
                "codegen-module-" + moduleName + ".xml", masterChangelog(files), moduleName + "_");
        Map<String, Source> inputs = new TreeMap<>();
        for (String file : files) {
            inputs.put("file:" + file, () -> Files.newInputStream(base.resolve(file)));
        }
        inputs.put("classpath:" + SchemaLayout.PROPERTIES_CHANGELOG,
                () -> open(loader, SchemaLayout.PROPERTIES_CHANGELOG));
        DirectoryResourceAccessor directory;
        try {
            directory = new DirectoryResourceAccessor(base);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + base + ": " + e.getMessage(), e);
        }
        return new Changelogs(List.of(run), List.of(directory, new ClassLoaderResourceAccessor(loader)), inputs);
    }

    /** @return the Liquibase runs, in order */
    List<Run> runs() {
        return runs;
    }

    /** @return where the changelogs and the files they include are found */
    List<ResourceAccessor> accessors() {
        return accessors;
    }

    /**
     * One line per input file with the SHA-256 of its content, sorted: what the generator compares with its stamp.
     *
     * @return the lines
     * @throws IllegalStateException when a file cannot be read
     */
    List<String> fingerprint() {
        List<String> lines = new ArrayList<>();
        for (var input : inputs.entrySet()) {
            try (InputStream in = input.getValue().open()) {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                lines.add("changelog " + input.getKey() + " " + HexFormat.of().formatHex(sha.digest(in.readAllBytes())));
            } catch (IOException | NoSuchAlgorithmException e) {
                throw new IllegalStateException("cannot read " + input.getKey() + ": " + e.getMessage(), e);
            }
        }
        return lines;
    }

    private static void checkModuleName(String name, String where) {
        // The FoundUp template, the agents tables and the catalog own these names at run time.
        if (name.equals(SchemaLayout.FOUNDUP_TEMPLATE) || name.equals("agents") || name.startsWith("foundupsdb")) {
            throw new IllegalStateException("module template '" + name + "' (" + where + ") clashes with a reserved "
                    + "name (foundup, agents, foundupsdb*): rename its folder");
        }
        if (!MODULE_NAME.matcher(name).matches()) {
            throw new IllegalStateException("module template '" + name + "' (" + where + "): a module name is "
                    + "lower-case letters, digits and underscores, starting with a letter");
        }
    }

    /** A changelog that includes the dialect properties, then the template's files in their order. */
    static String masterChangelog(List<String> files) {
        StringBuilder xml = new StringBuilder()
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<databaseChangeLog xmlns=\"http://www.liquibase.org/xml/ns/dbchangelog\"\n")
                .append("    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n")
                .append("    xsi:schemaLocation=\"http://www.liquibase.org/xml/ns/dbchangelog\n")
                .append("      http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd\">\n")
                .append("  <include file=\"").append(SchemaLayout.PROPERTIES_CHANGELOG).append("\"/>\n");
        for (String file : files) {
            xml.append("  <include file=\"").append(file).append("\"/>\n");
        }
        return xml.append("</databaseChangeLog>\n").toString();
    }

    private static InputStream open(ClassLoader loader, String path) throws IOException {
        InputStream in = loader.getResourceAsStream(path);
        if (in == null) {
            throw new IOException("not on the class path");
        }
        return in;
    }
}
