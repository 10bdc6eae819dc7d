package dev.foundups.db.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.nio.file.attribute.FileTime;

import org.jooq.codegen.DefaultGeneratorStrategy;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Database;
import org.jooq.meta.jaxb.ForcedType;
import org.jooq.meta.jaxb.Generator;
import org.jooq.meta.jaxb.Property;
import org.jooq.meta.jaxb.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module author's build through jOOQ's own GenerationTool, as jooq-codegen-maven runs it: generate, skip when
 * nothing changed, generate again after a changelog changed.
 */
class IncrementalJavaGeneratorTest {

    private static final String FOLDER = "src/main/resources/db/foundups/templates/modules/inventory";

    @TempDir
    Path project;

    @Test
    void generatesSkipsWhenUnchangedAndRegeneratesAfterAChange() throws Exception {
        Path template = project.resolve(FOLDER);
        Files.createDirectories(template);
        Path changelog = template.resolve("001-items.xml");
        Files.copy(Path.of("src/test/resources/templates/good/inventory/001-items.xml"), changelog);
        Path table = project.resolve("target/jooq/com/example/inventory/jooq/tables/InventoryItems.java");
        Path stamp = project.resolve("target/jooq.fingerprint");

        GenerationTool.generate(configuration());
        String generated = Files.readString(table, StandardCharsets.UTF_8);
        // The code-generation prefix (module name + "_") is what the run time's render mapping expects.
        assertTrue(generated.contains("DSL.name(\"inventory_items\")"), generated);
        assertTrue(generated.contains("TableField<InventoryItemsRecord, Instant> ADDED"), generated);
        assertTrue(generated.contains("dev.foundups.db.types.UtcInstantBinding"), generated);
        assertTrue(Files.isRegularFile(stamp));

        // Unchanged: nothing is written again (jOOQ would clean and rewrite the whole folder).
        FileTime before = Files.getLastModifiedTime(table);
        Files.setLastModifiedTime(table, FileTime.fromMillis(before.toMillis() - 60_000));
        FileTime marked = Files.getLastModifiedTime(table);
        GenerationTool.generate(configuration());
        assertEquals(marked, Files.getLastModifiedTime(table));

        // A changed changelog regenerates.
        edit(changelog, "<column name=\"sku\"", "<column name=\"note\" type=\"TEXT\"/>\n      <column name=\"sku\"");
        GenerationTool.generate(configuration());
        assertTrue(Files.readString(table, StandardCharsets.UTF_8).contains("NOTE"));
        assertFalse(marked.equals(Files.getLastModifiedTime(table)));
    }

    @Test
    void aChangedConfigurationChangesTheFingerprint() {
        LiquibasePostgresDatabase database = new LiquibasePostgresDatabase();
        database.setBasedir(Path.of("src/test/resources/templates/good").toAbsolutePath().toString());
        database.setProperties(new Properties());
        database.getProperties().setProperty(LiquibasePostgresDatabase.TEMPLATE_FOLDER, "inventory");
        IncrementalJavaGenerator generator = new IncrementalJavaGenerator();
        generator.setStrategy(new DefaultGeneratorStrategy());
        generator.setTargetDirectory("target/x");
        generator.setTargetPackage("com.example.inventory.jooq");
        String first = generator.fingerprint(database);
        assertEquals(first, generator.fingerprint(database));
        generator.setGeneratePojos(!generator.generatePojos());
        assertFalse(first.equals(generator.fingerprint(database)));
        generator.setGeneratePojos(!generator.generatePojos());
        generator.setTargetPackage("com.example.other");
        assertFalse(first.equals(generator.fingerprint(database)));
        database.close();
    }

    private Configuration configuration() {
        return new Configuration()
                .withBasedir(project.toString())
                .withGenerator(new Generator()
                        .withName(IncrementalJavaGenerator.class.getName())
                        .withDatabase(new Database()
                                .withName(LiquibasePostgresDatabase.class.getName())
                                .withInputSchema("public")
                                .withOutputSchemaToDefault(true)
                                .withExcludes("databasechangelog|databasechangeloglock")
                                .withProperties(new Property()
                                        .withKey(LiquibasePostgresDatabase.TEMPLATE_FOLDER).withValue(FOLDER))
                                .withForcedTypes(new ForcedType()
                                        .withUserType("java.time.Instant")
                                        .withBinding("dev.foundups.db.types.UtcInstantBinding")
                                        .withIncludeTypes("(?i:TIMESTAMP(\\(\\d+\\))? WITH TIME ZONE|TIMESTAMPTZ)")))
                        .withGenerate(new org.jooq.meta.jaxb.Generate().withJavaTimeTypes(true))
                        .withTarget(new Target()
                                .withPackageName("com.example.inventory.jooq")
                                .withDirectory("target/jooq")));
    }

    private static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(text.contains(from));
        Files.writeString(file, text.replace(from, to), StandardCharsets.UTF_8);
    }
}
