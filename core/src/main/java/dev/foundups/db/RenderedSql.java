package dev.foundups.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jooq.DSLContext;
import org.jooq.Param;
import org.jooq.Query;

/**
 * A query rendered once for its context (dialect, settings, table mapping), with the parameter behind each
 * {@code ?}.
 *
 * <p>jOOQ renders a query two ways: with {@code ?} placeholders, and with {@code :name} ones (unnamed values get
 * their index as name). Walking both renderings side by side gives each placeholder's parameter. The walk accepts
 * only renderings that differ exactly at the placeholders, so it can never pair a placeholder with the wrong
 * parameter: anything else (a literal that looks like a placeholder, say) is refused.
 *
 * @param sql        the SQL with {@code ?} placeholders
 * @param parameters the parameter bound at each placeholder, in order
 */
record RenderedSql(String sql, List<Param<?>> parameters) {

    static RenderedSql of(DSLContext dsl, Query query) {
        String indexed = dsl.render(query);
        String named = dsl.renderNamedParams(query);
        Map<String, Param<?>> params = query.getParams();
        List<Param<?>> order = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < indexed.length() && j < named.length()) {
            char c = indexed.charAt(i);
            if (c == '?' && named.charAt(j) == ':') {
                int end = j + 1;
                while (end < named.length() && isNameChar(named.charAt(end))) {
                    end++;
                }
                Param<?> param = params.get(named.substring(j + 1, end));
                if (end == j + 1 || param == null) {
                    throw unmatched(indexed, named);
                }
                order.add(param);
                i++;
                j = end;
            } else if (c == named.charAt(j)) {
                i++;
                j++;
            } else {
                throw unmatched(indexed, named);
            }
        }
        if (i != indexed.length() || j != named.length()) {
            throw unmatched(indexed, named);
        }
        return new RenderedSql(indexed, List.copyOf(order));
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static IllegalArgumentException unmatched(String indexed, String named) {
        return new IllegalArgumentException("cannot compile this query: its placeholders could not be matched to its "
                + "parameters (SQL: " + indexed + "; with names: " + named + "). Run it through the DSL instead");
    }
}
