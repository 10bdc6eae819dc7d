package dev.foundups.db.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import dev.foundups.db.FoundupsDb;

/** A FoundUps DB on a SQLite file in a temporary folder, removed again when closed. */
final class BenchDatabase implements AutoCloseable {

    private final Path dir;
    private final FoundupsDb db;

    BenchDatabase() throws IOException {
        this.dir = Files.createTempDirectory("foundups-jmh");
        this.db = FoundupsDb.configure().databaseUrl(jdbcUrl()).open();
    }

    FoundupsDb db() {
        return db;
    }

    String jdbcUrl() {
        return "jdbc:sqlite:" + dir.resolve("foundups.db");
    }

    @Override
    public void close() throws IOException {
        db.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
