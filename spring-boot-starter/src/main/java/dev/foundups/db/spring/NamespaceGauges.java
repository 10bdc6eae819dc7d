package dev.foundups.db.spring;

import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;

/**
 * The gauges {@code foundups.db.namespaces}, one per kind and state. A scrape reads all of them at once, so they
 * share one grouped query, run at most once per {@link #MAX_AGE_NANOS}; while the database cannot be read they
 * report NaN.
 */
final class NamespaceGauges {

    static final String NAMESPACES = "foundups.db.namespaces";
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceGauges.class);
    private static final long MAX_AGE_NANOS = 5_000_000_000L;

    private final FoundupsDb db;
    private Map<NamespaceKind, Map<NamespaceState, Integer>> counts;
    private long readAt;

    NamespaceGauges(FoundupsDb db, MeterRegistry registry) {
        this.db = db;
        for (NamespaceKind kind : NamespaceKind.values()) {
            for (NamespaceState state : NamespaceState.values()) {
                Gauge.builder(NAMESPACES, this, gauges -> gauges.count(kind, state))
                        .description("Module and FoundUp namespaces in the catalog, by kind and state")
                        .tag("kind", kind.catalogValue())
                        .tag("state", state.catalogValue())
                        .register(registry);
            }
        }
    }

    private synchronized double count(NamespaceKind kind, NamespaceState state) {
        long now = System.nanoTime();
        if (counts == null || now - readAt > MAX_AGE_NANOS) {
            try {
                counts = CatalogCounts.byKindAndState(db);
                readAt = now;
            } catch (RuntimeException e) {
                LOG.debug("Cannot count namespaces for the gauges", e);
                counts = null;
                return Double.NaN;
            }
        }
        return counts.get(kind).get(state);
    }
}
