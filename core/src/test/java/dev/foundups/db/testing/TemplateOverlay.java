package dev.foundups.db.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A class loader that sees the normal changelogs plus extra files: how a test makes "the next release" of a
 * template, with a changeset that the running code does not have yet.
 */
public final class TemplateOverlay {

    private final Path root;

    /**
     * @param root an empty folder for the extra files
     */
    public TemplateOverlay(Path root) {
        this.root = root;
    }

    /**
     * Adds a changeset file to a template folder.
     *
     * @param path      class path location, such as {@code db/foundups/templates/foundup/002-note.xml}
     * @param changeSet the changeSet elements
     * @return this overlay
     */
    public TemplateOverlay changelog(String path, String changeSet) {
        Path file = root.resolve(path);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <databaseChangeLog
                        xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
                        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                        xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
                          http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd">
                    %s
                    </databaseChangeLog>
                    """.formatted(changeSet));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** @return a class loader that sees the test class path plus the extra files */
    public ClassLoader classLoader() {
        try {
            return new URLClassLoader(new URL[] {root.toUri().toURL()}, getClass().getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
