package dev.foundups.db.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One SQLite file per system, deleted with its {@code -wal}, {@code -shm} and lock files before and after a run. */
final class SqliteFile implements DatabaseTarget {

    private static final String[] COMPANIONS = {"", "-wal", "-shm", "-journal", ".migrate-lock"};

    private final Path file;

    SqliteFile(Path file) {
        this.file = file.toAbsolutePath();
    }

    Path file() {
        return file;
    }

    @Override
    public String label() {
        return "sqlite";
    }

    @Override
    public boolean isSqlite() {
        return true;
    }

    @Override
    public String create() throws IOException {
        Files.createDirectories(file.getParent());
        delete();
        return "jdbc:sqlite:" + file;
    }

    @Override
    public void drop(String jdbcUrl) throws IOException {
        delete();
    }

    void delete() throws IOException {
        for (String suffix : COMPANIONS) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
    }
}
