package dev.foundups.db.internal.imports;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_IMPORTS;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;

import org.jooq.DSLContext;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.ImportReport;

/**
 * The rule every import follows, kept in {@code foundupsdb_imports}: a file is imported at most once (known by the
 * SHA-256 of its content, so a renamed copy is still the same file), and all of it in one transaction or nothing.
 */
final class ImportLedger {

    /** What an importer writes once the whole source was read and checked. */
    @FunctionalInterface
    interface Writer {
        /**
         * @param t the transaction everything of the file is written in
         * @return rows written, by target table, in source order
         */
        Map<String, Long> write(DSLContext t);
    }

    private final DSLContext dsl;

    ImportLedger(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * Imports a file unless the ledger already has it: reads it whole (so a bad file fails before anything is
     * written), then writes it and its ledger entry in one transaction.
     *
     * @param file   the file
     * @param target what it is imported into, for the ledger and the report
     * @param read   reads and checks the file, and returns what writes it; not called for a file imported before
     * @return what was imported
     */
    ImportReport importOnce(Path file, String target, Supplier<Writer> read) {
        String hash = sha256(file);
        if (dsl.fetchExists(FOUNDUPSDB_IMPORTS, FOUNDUPSDB_IMPORTS.SOURCE_SHA256.eq(hash))) {
            return new ImportReport(file, target, true, Map.of());
        }
        Writer writer = read.get();
        Map<String, Long> counts = dsl.transactionResult(tx -> {
            DSLContext t = tx.dsl();
            Map<String, Long> written = writer.write(t);
            t.insertInto(FOUNDUPSDB_IMPORTS)
                    .set(FOUNDUPSDB_IMPORTS.SOURCE_SHA256, hash)
                    .set(FOUNDUPSDB_IMPORTS.SOURCE_NAME, file.getFileName().toString())
                    .set(FOUNDUPSDB_IMPORTS.TARGET, target)
                    .set(FOUNDUPSDB_IMPORTS.ROW_COUNT, written.values().stream().mapToLong(Long::longValue).sum())
                    .execute();
            return written;
        });
        return new ImportReport(file, target, false, counts);
    }

    /** The file name up to its first dot: {@code chat_rules.db} names module {@code chat_rules}. */
    static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** The error of a file that cannot be imported; the message names the file (and line or table) itself. */
    static FoundupsDbException invalid(String message) {
        return new FoundupsDbException(ErrorCode.INVALID_INPUT, message);
    }

    /** The error of a file that cannot be read at all. */
    static FoundupsDbException unreadable(Path file, IOException e) {
        return invalid("cannot read " + file + ": " + e.getMessage());
    }

    private static String sha256(Path file) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw unreadable(file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
