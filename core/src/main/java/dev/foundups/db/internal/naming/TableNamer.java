package dev.foundups.db.internal.naming;

import java.util.Map;

import org.jooq.conf.MappedSchema;
import org.jooq.conf.MappedTable;
import org.jooq.conf.RenderMapping;
import org.jooq.conf.Settings;

/**
 * Maps generated template tables to one namespace's physical tables through jOOQ's render mapping.
 *
 * <p>Generated classes are named after the template ({@code FoundupUsers} is table {@code foundup_users}); for
 * FoundUp {@code youtube_bot} the mapping renders it as {@code foundups_youtube_bot_users}. Each table is mapped by
 * its exact name, not by a pattern, so no name can be captured by a neighbour's rule and no regex runs at render
 * time. jOOQ caches mapping results per {@code Configuration}: build these settings once per namespace.
 */
public final class TableNamer {

    private TableNamer() {
    }

    /**
     * Settings that render each template table under its physical name.
     *
     * @param base     the settings every context shares; not modified
     * @param physical template table name to physical table name, for example
     *                 {@code foundup_users -> foundups_youtube_bot_users}
     * @return a copy of {@code base} with the mapping
     */
    public static Settings mapped(Settings base, Map<String, String> physical) {
        // Generated classes have no schema (outputSchemaToDefault), which jOOQ names "".
        MappedSchema schema = new MappedSchema().withInput("");
        physical.forEach((input, output) -> schema.withTables(new MappedTable().withInput(input).withOutput(output)));
        return ((Settings) base.clone()).withRenderMapping(new RenderMapping().withSchemata(schema));
    }
}
