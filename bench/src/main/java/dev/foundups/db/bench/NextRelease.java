package dev.foundups.db.bench;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/** A class loader that sees the FoundUp template plus one more changeset: the template's next release. */
final class NextRelease {

    private NextRelease() {
    }

    static ClassLoader withChangeset(Path root, String fileName, String changes) throws IOException {
        Path file = root.resolve("db/foundups/templates/foundup/" + fileName);
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                <?xml version="1.0" encoding="UTF-8"?>
                <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
                    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                    xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
                      http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd">
                  <changeSet id="%s" author="bench">%s</changeSet>
                </databaseChangeLog>
                """.formatted(fileName.replace(".xml", ""), changes));
        return new URLClassLoader(new URL[] {root.toUri().toURL()}, NextRelease.class.getClassLoader());
    }
}
