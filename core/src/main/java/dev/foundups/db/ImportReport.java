package dev.foundups.db;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a legacy import did.
 *
 * @param source          the file imported
 * @param target          {@code module:NAME} or {@code agents_memory}
 * @param alreadyImported true when this exact file (same content) was imported before, and nothing was added
 * @param rows            rows imported, by target table, in source order
 */
public record ImportReport(Path source, String target, boolean alreadyImported, Map<String, Long> rows) {
    public ImportReport {
        rows = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rows));
    }

    /** @return rows imported in all */
    public long total() {
        return rows.values().stream().mapToLong(Long::longValue).sum();
    }
}
