package dev.foundups.db.copy;

import java.util.List;

import org.jooq.Field;
import org.jooq.SortField;
import org.jooq.Table;
import org.jooq.impl.DSL;

import dev.foundups.db.NamespaceInfo;

/**
 * One table of a copy: its physical name on both sides and its columns with their Java types, which come from the
 * generated class of its template (or, for an imported module's table, from the source's column types). Reading
 * and writing through these typed fields is what converts timestamps, JSON, booleans and ids between dialects.
 *
 * @param name     the physical table name, from the catalog's validated prefix and a generated or validated name
 * @param fields   its columns, typed
 * @param key      the primary key's columns, to read in key order; empty for none
 * @param identity  the auto-increment column whose sequence PostgreSQL must continue after the copy, or null
 * @param catalog   true for the namespace catalog, which the target's provisioning writes rather than the copy
 * @param namespace the namespace the table belongs to, or null for a shared table: on a sharded target it goes
 *                  to its namespace's shard
 */
record CopyTable(String name, List<Field<?>> fields, List<Field<?>> key, String identity, boolean catalog,
                 NamespaceInfo namespace) {

    CopyTable {
        fields = List.copyOf(fields);
        key = List.copyOf(key);
    }

    Table<?> table() {
        return DSL.table(DSL.name(name));
    }

    List<SortField<?>> order() {
        return key.stream().<SortField<?>>map(Field::asc).toList();
    }

    /** Columns of a generated table under another (physical) name: same names, same data types and bindings. */
    static List<Field<?>> fieldsOf(Table<?> generated, boolean skipIdentity) {
        return java.util.Arrays.stream(generated.fields())
                .filter(f -> !skipIdentity || generated.getIdentity() == null
                        || !generated.getIdentity().getField().getName().equals(f.getName()))
                .<Field<?>>map(f -> DSL.field(DSL.name(f.getName()), f.getDataType()))
                .toList();
    }
}
