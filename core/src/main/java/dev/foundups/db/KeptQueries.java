package dev.foundups.db;

import java.util.function.Function;
import java.util.function.Supplier;

import org.jooq.DSLContext;
import org.jooq.Query;

import dev.foundups.db.internal.namespaces.TemplateRendering;

/**
 * The compiled queries a context keeps under a key ({@link CompiledQuery#cached}, {@link CompiledQuery#template}),
 * for classes made anew on each call that cannot keep their own. A namespace's context lives as long as the
 * database, and so do the queries it keeps.
 */
final class KeptQueries {

    private KeptQueries() {
    }

    /**
     * @param dsl     the context that keeps the query
     * @param key     names the query among those the context keeps
     * @param compile compiles it; called once per context
     * @return the query the context keeps under the key
     */
    static CompiledQuery<?> kept(DSLContext dsl, String key, Supplier<CompiledQuery<?>> compile) {
        // Each context's configuration has a data map of its own (derived configurations copy it), a concurrent
        // map: computeIfAbsent compiles once. The key's own type keeps it apart from other data entries.
        return (CompiledQuery<?>) dsl.configuration().data().computeIfAbsent(new Key(key), k -> compile.get());
    }

    /**
     * {@link #kept} for the library's own statements of a namespace: rendered once per template (see
     * {@link TemplateRendering}), not once per namespace.
     *
     * @param dsl   a namespace's context
     * @param key   names the statement among those the context keeps
     * @param query builds the statement on a context; depends on nothing else
     * @return the query the context keeps under the key
     */
    static CompiledQuery<?> templated(DSLContext dsl, String key, Function<DSLContext, ? extends Query> query) {
        // The template's query is compiled once, on the context that stands for all its namespaces; each namespace
        // gets a copy with its own SQL and context, built and checked for nothing again.
        return kept(dsl, key, () -> TemplateRendering.of(dsl.configuration())
                .<CompiledQuery<?>>map(n -> {
                    CompiledQuery<?> marked = n.shared(key, () -> new CompiledQuery<>(n.marked(),
                            query.apply(n.marked()), null));
                    return marked.forNamespace(dsl, n.sql(marked.sql()));
                })
                .orElseGet(() -> new CompiledQuery<>(dsl, query.apply(dsl), null)));
    }

    /** The data-map key under which a context keeps a compiled query. */
    private record Key(String name) {
    }
}
