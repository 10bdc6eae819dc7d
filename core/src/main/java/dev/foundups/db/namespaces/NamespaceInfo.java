package dev.foundups.db.namespaces;

import java.time.Instant;

import dev.foundups.db.naming.NamespaceKind;

/**
 * A namespace as the catalog records it.
 *
 * @param kind            module or FoundUp
 * @param name            the module name or FoundUp id
 * @param template        the template its tables come from
 * @param tablePrefix     the prefix of its physical tables, such as {@code foundups_youtube_bot_}
 * @param state           {@code ready}, or {@code failed} when its last template change could not be applied
 * @param templateVersion how many of the template's changesets are applied
 * @param createdAt       when it was created
 * @param lastError       why its last change failed, or null
 */
public record NamespaceInfo(NamespaceKind kind, String name, String template, String tablePrefix, String state,
                            int templateVersion, Instant createdAt, String lastError) {

    /** Catalog state of a namespace whose tables match its template version. */
    public static final String READY = "ready";
    /** Catalog state of a namespace whose last template change failed; the next migrate retries it. */
    public static final String FAILED = "failed";
}
