package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.testing.Backend;

/**
 * Compiles every {@code ```java} block of the README against the built jar and runs them, in order, in a fresh
 * process on each dialect: the README cannot drift from the API.
 *
 * <p>A block is a method body. Its {@code import} lines become the class's imports. A block that does not open a
 * {@code FoundupsDb db} itself runs inside {@code try (FoundupsDb db = FoundupsDb.open()) { ... }}, with
 * {@code DATABASE_URL} naming the test's database. A block preceded by {@code <!-- example: compile-only -->} is
 * compiled but not run (for instance a restore, which needs the database closed and empty); one preceded by
 * {@code <!-- example: skip (why) -->} is neither (a class of another framework, tested where it lives).
 */
class ReadmeExamplesIT {

    private static final Pattern BLOCK = Pattern.compile("(<!-- example: ([a-z-]+)[^>]*-->\\s*\\n)?```java\\n(.*?)```",
            Pattern.DOTALL);
    private static final Pattern OPENS_DB = Pattern.compile("FoundupsDb\\s+db\\s*=");

    /** The imports every example gets: the API packages, the JDK types the README uses, and jOOQ. */
    private static final List<String> IMPORTS = List.of(
            "import dev.foundups.db.*;",
            "import dev.foundups.db.copy.*;",
            "import dev.foundups.db.modules.chatrules.ChatRules;",
            "import dev.foundups.db.jooq.tables.records.*;",
            "import java.nio.file.*;",
            "import java.time.*;",
            "import java.util.*;",
            // One by one: org.jooq.* would make Path, Record and others ambiguous.
            "import org.jooq.DSLContext;",
            "import org.jooq.JSON;",
            "import org.jooq.Param;",
            "import org.jooq.impl.DSL;");

    record Example(int number, String imports, String body, boolean run) {
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void everyJavaBlockOfTheReadmeCompilesAndRuns(Backend backend, @TempDir Path dir) throws Exception {
        List<Example> examples = examples(Files.readString(Path.of("..", "README.md")));
        assertFalse(examples.isEmpty(), "the README has no ```java block");

        Path sources = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        List<String> files = new ArrayList<>();
        StringBuilder main = new StringBuilder("public class RunExamples {\n"
                + "    public static void main(String[] args) throws Exception {\n");
        for (Example e : examples) {
            Path file = sources.resolve("Example" + e.number() + ".java");
            Files.writeString(file, source(e));
            files.add(file.toString());
            if (e.run()) {
                main.append("        Example").append(e.number()).append(".run();\n")
                        .append("        System.out.println(\"example ").append(e.number()).append(" ran\");\n");
            }
        }
        main.append("    }\n}\n");
        Path runner = sources.resolve("RunExamples.java");
        Files.writeString(runner, main);
        files.add(runner.toString());

        String classPath = System.getProperty("java.class.path");
        assertTrue(classPath.contains("foundups-db-core"), "runs against the built jar: " + classPath);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        List<String> options = List.of("-d", classes.toString(), "-cp", classPath, "-proc:none", "-Xlint:none");
        boolean compiled;
        try (StandardJavaFileManager fileManager = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            compiled = javac.getTask(diagnostics, fileManager, null, options, null,
                    fileManager.getJavaFileObjectsFromStrings(files)).call();
        }
        assertTrue(compiled, "README examples do not compile:\n" + diagnostics);

        Path work = Files.createDirectories(dir.resolve("work"));
        ProcessBuilder process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes + java.io.File.pathSeparator + classPath, "RunExamples")
                .directory(work.toFile())
                .redirectErrorStream(true);
        process.environment().put(FoundupsDb.DATABASE_URL, backend.newDatabaseUrl(dir));
        Process child = process.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(5, TimeUnit.MINUTES), "examples did not finish");
        assertEquals(0, child.exitValue(), "README examples failed on " + backend + ":\n" + output);
        long ran = examples.stream().filter(Example::run).count();
        assertEquals(ran, output.lines().filter(l -> l.matches("example \\d+ ran")).count(), output);
    }

    static List<Example> examples(String readme) {
        List<Example> examples = new ArrayList<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            String marker = m.group(2);
            if ("skip".equals(marker)) {
                continue;
            }
            Set<String> imports = new LinkedHashSet<>();
            StringBuilder body = new StringBuilder();
            for (String line : m.group(3).split("\n")) {
                if (line.startsWith("import ")) {
                    imports.add(line.trim());
                } else {
                    body.append(line).append('\n');
                }
            }
            examples.add(new Example(examples.size() + 1, String.join("\n", imports), body.toString(),
                    !"compile-only".equals(marker)));
        }
        return examples;
    }

    private static String source(Example e) throws IOException {
        String body = OPENS_DB.matcher(e.body()).find() ? e.body()
                : "try (FoundupsDb db = FoundupsDb.open()) {\n" + e.body() + "}\n";
        return String.join("\n", IMPORTS) + "\n" + e.imports() + "\n\n"
                + "@SuppressWarnings(\"unused\")\n"
                + "class Example" + e.number() + " {\n"
                + "    static void run() throws Exception {\n" + body + "    }\n}\n";
    }
}
