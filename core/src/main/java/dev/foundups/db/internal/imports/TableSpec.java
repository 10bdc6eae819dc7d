package dev.foundups.db.internal.imports;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.jooq.DSLContext;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * An imported module's table as FoundUps DB creates it: its columns, their types and its primary key. The one place
 * that decides how such a table looks, for the import that first makes it and for a copy that makes it again on
 * another database, so both come out the same.
 *
 * <pre>
 * DataType&lt;?&gt; type = TableSpec.typeOf("INTEGER");                 // BIGINT
 * TableSpec.createTable(tx, "modules_chat_legacy_moderators", columns, types, List.of("user_id"));
 * </pre>
 *
 * @param name       the table's name
 * @param columns    column names, in order; {@link #COLUMN_NAME} checked by whoever read them
 * @param types      their types, from {@link #typeOf}
 * @param primaryKey the primary key's columns, in order; empty for none
 */
public record TableSpec(String name, List<String> columns, List<DataType<?>> types, List<String> primaryKey) {

    /** A table name an import may take over: it becomes part of {@code modules_<module>_<table>}. */
    static final Pattern TABLE_NAME = Pattern.compile("[a-z][a-z0-9_]*");

    /** A column name an import may take over: letters, digits and underscores, so it needs no care when quoted. */
    static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Appended to the table's name to name its primary key, the PostgreSQL convention on both dialects. */
    static final String PRIMARY_KEY_SUFFIX = "_pkey";

    /**
     * @param name       the table's name
     * @param columns    column names, in order
     * @param types      their types, one a column
     * @param primaryKey the primary key's columns, in order; empty for none
     */
    public TableSpec {
        columns = List.copyOf(columns);
        types = List.copyOf(types);
        primaryKey = List.copyOf(primaryKey);
    }

    /**
     * SQLite's type affinity rules, mapped to a type both dialects store the values in as they are. Also reads back
     * the types an imported table was created with on PostgreSQL ({@code bigint}, {@code double precision},
     * {@code text}, {@code bytea}), so that copying a database creates its imported tables the same way.
     *
     * @param declared a column's declared type, or null
     * @return BIGINT, DOUBLE, BLOB or CLOB
     */
    public static DataType<?> typeOf(String declared) {
        String t = declared == null ? "" : declared.toUpperCase(Locale.ROOT);
        if (t.contains("INT")) {
            return SQLDataType.BIGINT;
        }
        if (t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB")) {
            return SQLDataType.DOUBLE;
        }
        if (t.contains("BLOB") || t.equals("BYTEA")) {
            return SQLDataType.BLOB;
        }
        // TEXT, dates kept as their text, JSON kept as its text, and anything else: text, as it was.
        return SQLDataType.CLOB;
    }

    /**
     * Creates an imported module's table: the legacy table's columns with the types of {@link #typeOf}, and its
     * primary key. Also how a copy of the database creates imported tables on the target, so they come out the same.
     *
     * @param t          the transaction to create it in
     * @param physical   the table's name, such as {@code modules_chat_legacy_moderators}; validated by the caller
     * @param columns    column names: letters, digits, underscores; validated by the caller
     * @param types      their types, from {@link #typeOf}
     * @param primaryKey the primary key's columns, in order; empty for none
     */
    public static void createTable(DSLContext t, String physical, List<String> columns, List<DataType<?>> types,
                                   List<String> primaryKey) {
        Name name = DSL.name(physical);
        var create = t.createTable(name);
        for (int i = 0; i < columns.size(); i++) {
            create = create.column(DSL.name(columns.get(i)), types.get(i));
        }
        if (!primaryKey.isEmpty()) {
            create.constraint(DSL.constraint(DSL.name(physical + PRIMARY_KEY_SUFFIX))
                    .primaryKey(primaryKey.stream().map(DSL::name).map(DSL::field).toArray(Field[]::new)))
                    .execute();
        } else {
            create.execute();
        }
    }

    /** Creates this table in the transaction. */
    void create(DSLContext t) {
        createTable(t, name, columns, types, primaryKey);
    }

    /** Its columns as typed fields, to insert through. */
    List<Field<Object>> fields() {
        List<Field<Object>> fields = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            @SuppressWarnings("unchecked")
            DataType<Object> type = (DataType<Object>) types.get(i);
            fields.add(DSL.field(DSL.name(columns.get(i)), type));
        }
        return fields;
    }

    /** A row as read from the source, each value converted to its column's type (SQLite lets a column hold any). */
    Object[] convert(Object[] row) {
        Object[] converted = new Object[row.length];
        for (int i = 0; i < row.length; i++) {
            converted[i] = types.get(i).convert(row[i]);
        }
        return converted;
    }
}
