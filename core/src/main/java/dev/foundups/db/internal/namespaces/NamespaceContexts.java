package dev.foundups.db.internal.namespaces;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.internal.naming.NamespaceName;
import dev.foundups.db.internal.naming.TableNamer;
import dev.foundups.db.internal.sqlite.WriteDiscipline;

/**
 * One long-lived, table-mapped {@link DSLContext} per namespace, made on first use (creating the namespace when it
 * does not exist) and cached: jOOQ caches its render mapping per configuration. A context is built, cached and
 * evicted only under its name's stripe ({@link NamespaceLocks}).
 *
 * <p>The cache is bounded ({@link #DEFAULT_CAPACITY} contexts): each one holds its own settings with the table
 * mapping and its compiled queries, about 5 KB, which at tens of thousands of namespaces touched once would stay
 * for the life of the process. Past the bound, the least recently built or used contexts are evicted, each under
 * its own stripe, after the caller's stripe is released. An evicted context keeps working for whoever holds it;
 * the next call for that name builds a new one from the catalog.
 */
final class NamespaceContexts {

    /** Most contexts kept. */
    static final int DEFAULT_CAPACITY = 2_048;

    private final NamespaceParts parts;
    private final int capacity;
    private final Map<String, Entry> contexts = new ConcurrentHashMap<>();
    /** Per template (by its table mapping under the mark): the rendering its namespaces share. */
    private final Map<Map<String, String>, TemplateRendering> renderings = new ConcurrentHashMap<>();
    /** Advances whenever a context is built; an entry's stamp says when it was last used, in those steps. */
    private final AtomicLong clock = new AtomicLong();

    /** A cached context, under its name's key ({@link NamespaceLocks#key}), and when it was last used. */
    private static final class Entry {
        final String key;
        final DSLContext context;
        volatile long used;

        Entry(String key, DSLContext context, long used) {
            this.key = key;
            this.context = context;
            this.used = used;
        }
    }

    NamespaceContexts(NamespaceParts parts) {
        this(parts, DEFAULT_CAPACITY);
    }

    NamespaceContexts(NamespaceParts parts, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity cannot be less than 1, was " + capacity);
        }
        this.parts = parts;
        this.capacity = capacity;
    }

    /**
     * The context of a namespace, creating it through {@code provisioning} on first use.
     *
     * @see Namespaces#context
     */
    DSLContext context(NamespaceKind kind, String name, String template, Provisioning provisioning) {
        Entry cached = contexts.get(NamespaceLocks.key(kind, name));
        if (cached != null) {
            long now = clock.get(); // advances only when a context is built: a hit writes no shared counter
            if (cached.used != now) {
                cached.used = now;
            }
            return cached.context;
        }
        DSLContext built = build(kind, name, template, provisioning);
        if (contexts.size() > capacity) {
            trim();
        }
        return built;
    }

    private DSLContext build(NamespaceKind kind, String name, String template, Provisioning provisioning) {
        Template t = parts.templates().require(kind, template);
        NamespaceName.validate(kind, name, t.maxNameLength());
        parts.changes().ensureRecorded(t);
        String key = NamespaceLocks.key(kind, name);
        synchronized (parts.locks().stripe(key)) {
            Entry cached = contexts.get(key);
            if (cached != null) {
                return cached.context;
            }
            // Look before creating: an existing namespace costs one read, not a write transaction (on SQLite the
            // write lock, and the first write's connection). Except on SQLite once this process writes: a read
            // there takes a reader connection, which re-parses the whole schema after each namespace's DDL, while
            // the insert-or-find of provision runs on the writer's connection, whose schema is current.
            // On PostgreSQL likewise once this process has created a namespace: the look-up is one more round trip
            // before each new one.
            boolean writing = WriteDiscipline.of(parts.shared().configuration()).map(WriteDiscipline::writerOpen)
                    .orElse(provisioning.provisionedHere());
            NamespaceInfo info = (writing ? Optional.<NamespaceInfo>empty() : parts.rows().find(kind, name))
                    .filter(n -> n.state() != NamespaceState.DROPPED)
                    .orElseGet(() -> provisioning.provision(kind, name, t, false));
            if (info.state() == NamespaceState.FAILED) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, kind.describeName() + " '" + name + "' is marked "
                        + "failed because a template change could not be applied (" + info.lastError() + "); fix the "
                        + "cause and run the migration again");
            }
            Settings settings = TableNamer.mapped(parts.shared().settings(), t.tableMapping(info.tablePrefix()));
            Configuration configuration = parts.shared().configuration().derive(settings);
            if (parts.connections() != null) {
                configuration = configuration.derive(parts.connections().provider(kind, name));
            }
            rendering(t).attach(configuration, info.tablePrefix());
            DSLContext context = DSL.using(configuration);
            contexts.put(key, new Entry(key, context, clock.incrementAndGet()));
            return context;
        }
    }

    /**
     * Evicts the least recently used contexts down to seven eighths of the capacity, so that trimming is rare. Holds
     * no stripe when called, and takes each victim's stripe alone.
     */
    private void trim() {
        List<Entry> entries = new ArrayList<>(contexts.values());
        int excess = entries.size() - capacity * 7 / 8;
        if (excess <= 0) {
            return;
        }
        entries.sort(Comparator.comparingLong(e -> e.used));
        for (Entry victim : entries.subList(0, excess)) {
            synchronized (parts.locks().stripe(victim.key)) {
                contexts.remove(victim.key, victim);
            }
        }
    }

    /** @return the rendering the namespaces of a template share, made on first use */
    private TemplateRendering rendering(Template t) {
        Map<String, String> marked = t.tableMapping(TemplateRendering.MARK);
        // Keyed by the mapping itself: a template change that adds a table gives a new one.
        return renderings.computeIfAbsent(marked, m -> new TemplateRendering(DSL.using(parts.shared().configuration()
                .derive(TableNamer.mapped(parts.shared().settings(), m)))));
    }

    /** @return how many contexts are cached; for tests */
    int size() {
        return contexts.size();
    }

    /** Forgets a name's context; the caller holds the name's stripe. */
    void evict(NamespaceKind kind, String name) {
        contexts.remove(NamespaceLocks.key(kind, name));
    }
}
