package dev.foundups.db.internal.backup;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * A backup set (a sharded database's backup): a folder that appears whole or not at all, as {@link BackupFile}
 * does for one file. The archives and the manifest are written into a hidden folder beside the target, forced to
 * disk, and the folder is renamed at the end; a failure removes it.
 *
 * @param target  where the set lands
 * @param partial the hidden folder the set is written into
 */
public record BackupFolder(Path target, Path partial) {

    /** The set's description; its presence is what marks a folder as a set. */
    public static final String MANIFEST = "manifest.json";

    /**
     * Checks the target and creates the hidden folder to write into.
     *
     * @param target where the set should land; must not exist
     * @return the folder to fill
     * @throws FoundupsDbException BACKUP when the target exists or the folder cannot be created
     */
    public static BackupFolder at(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "backup target " + absolute + " already exists; a backup "
                    + "never overwrites anything: choose a new name or delete the old backup first");
        }
        Path partial = BackupFile.partialBeside(absolute);
        try {
            Files.createDirectories(partial);
        } catch (IOException e) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "cannot create the backup folder beside " + absolute
                    + ": " + e, e);
        }
        return new BackupFolder(absolute, partial);
    }

    /**
     * Dumps one PostgreSQL database into the set.
     *
     * @param fileName    the archive's name in the folder
     * @param url         the database
     * @param clientTools the folder of {@code pg_dump}, or null for the PATH
     * @return the archive's size
     * @throws IOException         when it cannot be written
     * @throws FoundupsDbException BACKUP when pg_dump is missing or fails
     */
    public long dump(String fileName, DatabaseUrl url, Path clientTools) throws IOException {
        return PostgresBackup.backup(url, clientTools, BackupFile.at(partial.resolve(fileName)));
    }

    /**
     * Writes a small file (the manifest) into the set.
     *
     * @return its size
     */
    public long write(String fileName, byte[] content) throws IOException {
        Path file = partial.resolve(fileName);
        Files.write(file, content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        return content.length;
    }

    /**
     * Forces the folder to disk and gives it its final name.
     *
     * @throws IOException when it cannot
     */
    public void publish() throws IOException {
        BackupFile.forceFolder(partial);
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        BackupFile.forceFolder(target.getParent());
    }

    /** Removes the hidden folder and everything in it; never throws. */
    public void discard() {
        try (Stream<Path> walk = Files.walk(partial)) {
            List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: the name is unique and starts with a dot
        }
    }

    /**
     * @param backup what was given to restore: a set's folder, its manifest, or a single backup file
     * @return the set's folder, absolute; empty when it is not a set
     */
    public static Optional<Path> setOf(Path backup) {
        Path path = backup.toAbsolutePath().normalize();
        if (Files.isDirectory(path) && Files.isRegularFile(path.resolve(MANIFEST))) {
            return Optional.of(path);
        }
        boolean manifest = path.getFileName() != null && path.getFileName().toString().equals(MANIFEST);
        return manifest && Files.isRegularFile(path) ? Optional.of(path.getParent()) : Optional.empty();
    }
}
