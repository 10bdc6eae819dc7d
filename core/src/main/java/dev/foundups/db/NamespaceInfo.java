package dev.foundups.db;

import java.time.Instant;

/**
 * A namespace as the catalog records it.
 *
 * @param kind            module or FoundUp
 * @param name            the module name or FoundUp id
 * @param template        the template its tables come from
 * @param tablePrefix     the prefix of its physical tables, such as {@code foundups_youtube_bot_}
 * @param state           ready, failed or dropped
 * @param templateVersion how many of the template's changesets are applied
 * @param createdAt       when it was (last) created
 * @param updatedAt       when its catalog row last changed
 * @param lastError       why its last change failed, or null
 */
public record NamespaceInfo(NamespaceKind kind, String name, String template, String tablePrefix,
                            NamespaceState state, int templateVersion, Instant createdAt, Instant updatedAt,
                            String lastError) {

    /** @return {@code kind:name}, such as {@code foundup:youtube_bot}: how reports name a namespace */
    public String label() {
        return kind.catalogValue() + ":" + name;
    }
}
