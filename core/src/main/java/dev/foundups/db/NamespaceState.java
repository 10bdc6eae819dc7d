package dev.foundups.db;

import java.util.Locale;

/**
 * Where a namespace stands, as the catalog records it.
 *
 * <p>There is no visible "provisioning" state: a namespace's catalog row, tables and change history are created in
 * one transaction, so other sessions see it either ready or not at all, and a crash half-way leaves nothing.
 */
public enum NamespaceState {
    /** Its tables match the template version recorded for it. */
    READY,
    /** Its last template change failed; the error is recorded and the next migrate retries it. */
    FAILED,
    /** Dropped: its tables are gone; the row stays as a record, and the name can be created again. */
    DROPPED;

    /** @return the value stored in the catalog, such as {@code ready} */
    public String catalogValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param value a catalog value
     * @return the state it names
     * @throws IllegalArgumentException for an unknown value
     */
    public static NamespaceState fromCatalogValue(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
