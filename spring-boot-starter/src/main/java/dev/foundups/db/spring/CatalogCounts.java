package dev.foundups.db.spring;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jooq.Record3;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;

/**
 * How many namespaces the catalog holds by kind and state, and which are failed: one grouped query each, so a
 * health check or a metrics scrape costs the same at ten namespaces as at ten thousand.
 */
final class CatalogCounts {

    /** Failed namespaces listed in health details at most: the count is always complete. */
    static final int FAILED_LISTED = 20;

    private CatalogCounts() {
    }

    /**
     * @param db the database
     * @return kind to state to count, every kind and state present (zero when none)
     */
    static Map<NamespaceKind, Map<NamespaceState, Integer>> byKindAndState(FoundupsDb db) {
        Map<NamespaceKind, Map<NamespaceState, Integer>> counts = new LinkedHashMap<>();
        for (NamespaceKind kind : NamespaceKind.values()) {
            Map<NamespaceState, Integer> states = new LinkedHashMap<>();
            for (NamespaceState state : NamespaceState.values()) {
                states.put(state, 0);
            }
            counts.put(kind, states);
        }
        for (Record3<String, String, Integer> row : db.dsl()
                .select(FOUNDUPSDB_NAMESPACES.KIND, FOUNDUPSDB_NAMESPACES.STATE, DSL.count())
                .from(FOUNDUPSDB_NAMESPACES)
                .groupBy(FOUNDUPSDB_NAMESPACES.KIND, FOUNDUPSDB_NAMESPACES.STATE)
                .fetch()) {
            counts.get(NamespaceKind.fromCatalogValue(row.value1()))
                    .put(NamespaceState.fromCatalogValue(row.value2()), row.value3());
        }
        return counts;
    }

    /**
     * @param db the database
     * @return label ({@code kind:name}) to last error of the first {@link #FAILED_LISTED} failed namespaces
     */
    static Map<String, String> failed(FoundupsDb db) {
        Map<String, String> failed = new LinkedHashMap<>();
        db.dsl().select(FOUNDUPSDB_NAMESPACES.KIND, FOUNDUPSDB_NAMESPACES.NAME, FOUNDUPSDB_NAMESPACES.LAST_ERROR)
                .from(FOUNDUPSDB_NAMESPACES)
                .where(FOUNDUPSDB_NAMESPACES.STATE.eq(NamespaceState.FAILED.catalogValue()))
                .orderBy(FOUNDUPSDB_NAMESPACES.KIND, FOUNDUPSDB_NAMESPACES.NAME)
                .limit(FAILED_LISTED)
                .forEach(row -> failed.put(row.value1() + ":" + row.value2(), String.valueOf(row.value3())));
        return failed;
    }
}
