package dev.foundups.db.internal.namespaces;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.jooq.Configuration;
import org.jooq.DSLContext;

/**
 * The library's own fixed statements of a template, rendered once for all its namespaces instead of once per
 * namespace. A namespace's SQL differs from its neighbour's only in its table names, which are the template's names
 * under the namespace's prefix; so a statement is rendered on a context that maps the template's tables under
 * {@link #MARK}, a character no identifier or SQL text of the library contains, and each namespace's copy is that
 * text with the mark replaced by its prefix. Rendering a statement through jOOQ costs more than SQLite's creating a
 * namespace's row; the replacement costs a string copy.
 *
 * <p>Only for statements whose builder depends on nothing but the context it is given (the library's own, such as
 * {@code FoundUp.addUser}); a user's compiled queries are rendered for their own context.
 */
public final class TemplateRendering {

    /** Stands for the table prefix in the shared rendering. */
    static final String MARK = "\u0001";

    /** Configuration data key of a namespace context's {@link Namespace}. */
    private static final String KEY = TemplateRendering.class.getName();

    private final DSLContext marked;
    private final Map<String, Object> rendered = new ConcurrentHashMap<>();

    TemplateRendering(DSLContext marked) {
        this.marked = marked;
    }

    /**
     * The rendering a namespace's context shares with its template's other namespaces.
     *
     * @param template the template's shared rendering
     * @param prefix   the namespace's table prefix, such as {@code foundups_x_}
     */
    public record Namespace(TemplateRendering template, String prefix) {

        /** @return the context whose rendering stands for every namespace of the template */
        public DSLContext marked() {
            return template.marked;
        }

        /**
         * @param key    names the statement, as {@code CompiledQuery}'s kept queries do
         * @param render renders (or compiles) it on {@link #marked()}; called once per template and key
         * @param <T>    what rendering gives
         * @return the shared rendering
         */
        @SuppressWarnings("unchecked")
        public <T> T shared(String key, Supplier<T> render) {
            return (T) template.rendered.computeIfAbsent(key, k -> render.get());
        }

        /**
         * @param markedSql SQL rendered on {@link #marked()}
         * @return the same SQL for this namespace
         */
        public String sql(String markedSql) {
            return markedSql.replace(MARK, prefix);
        }
    }

    /**
     * @param configuration a context's configuration
     * @return its namespace's shared rendering, when it is a namespace's context
     */
    public static Optional<Namespace> of(Configuration configuration) {
        return Optional.ofNullable((Namespace) configuration.data(KEY));
    }

    /** Gives a namespace's context its shared rendering. */
    void attach(Configuration configuration, String prefix) {
        configuration.data(KEY, new Namespace(this, prefix));
    }
}
