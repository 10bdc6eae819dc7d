package dev.foundups.db.internal.backup;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/**
 * A backup file that appears whole or not at all: written under a temporary name beside the target, forced to
 * disk, then renamed, so a crash mid-backup never leaves a truncated file under the name a restore would use.
 *
 * @param target  the final name
 * @param partial the temporary file to write the backup into
 */
public record BackupFile(Path target, Path partial) {

    /**
     * Checks the target and chooses the temporary name.
     *
     * @param target where the backup should land; must not exist
     * @return the file to write
     * @throws FoundupsDbException BACKUP when the target exists or its folder cannot be created
     */
    public static BackupFile at(Path target) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "backup target " + absolute + " already exists; a backup "
                    + "never overwrites a file: choose a new name or delete the old file first");
        }
        try {
            Files.createDirectories(absolute.getParent());
        } catch (IOException e) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "cannot create the folder of backup target " + absolute
                    + ": " + e, e);
        }
        return new BackupFile(absolute, partialBeside(absolute));
    }

    /**
     * The name a backup is written under until it is published: hidden (a leading dot) and unique, so that a
     * failed backup's leftovers never clash with another's and a discard removes only its own.
     *
     * @param target the backup's final name, absolute
     * @return a sibling of it
     */
    static Path partialBeside(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".partial-" + UUID.randomUUID());
    }

    /**
     * Forces the written file to disk and gives it its final name.
     *
     * @return the size of the published file
     * @throws IOException when it cannot
     */
    long publish() throws IOException {
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        forceFolder(target.getParent());
        return Files.size(target);
    }

    /** Removes what a failed backup left behind; never throws. */
    void discard() {
        for (String suffix : new String[] {"", "-journal", "-wal", "-shm"}) {
            try {
                Files.deleteIfExists(Path.of(partial + suffix));
            } catch (IOException ignored) {
                // best effort: the name is unique and starts with a dot
            }
        }
    }

    /** The rename is durable only once the folder itself is on disk. */
    static void forceFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (AccessDeniedException | UnsupportedOperationException notOnThisSystem) {
            // Some platforms cannot open a folder for syncing; the rename is still atomic there.
        }
    }
}
