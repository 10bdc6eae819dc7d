package dev.foundups.db.internal.moves;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import dev.foundups.db.internal.naming.SqlIdentifier;

/**
 * The physical tables of one namespace, in the order its template creates them (a table referenced by another
 * comes first), and the schema they live in: names from the template's generated table list under the catalog's
 * validated prefix, each checked again against {@link SqlIdentifier}. Table names are the same on every shard.
 *
 * @param schema the schema of the namespace's tables on both shards (the connection's {@code current_schema()})
 * @param tables the physical table names
 */
record NamespaceTables(String schema, List<String> tables) {

    /** Where a move puts the source's tables at the freeze: outside every search path, kept until the cleanup. */
    static final String FENCE_SCHEMA = "foundupsdb_moved";

    NamespaceTables {
        SqlIdentifier.require("schema", schema);
        tables = List.copyOf(tables);
        tables.forEach(t -> SqlIdentifier.require("table", t));
    }

    /** @return the tables, schema-qualified and quoted, separated by commas: for LOCK, publications, TRUNCATE */
    String qualifiedList() {
        return tables.stream().map(t -> SqlIdentifier.qualified(schema, t)).collect(Collectors.joining(", "));
    }

    /**
     * @return the tables, qualified and quoted, newest first: the order a freeze locks them in, that of a writer
     *         inserting into a table that references an older one ({@link Fence#lock})
     */
    String lockList() {
        List<String> reversed = new ArrayList<>(tables);
        Collections.reverse(reversed);
        return reversed.stream().map(t -> SqlIdentifier.qualified(schema, t)).collect(Collectors.joining(", "));
    }

    /** @return the same tables in the fence schema, qualified and quoted */
    String fencedList() {
        return tables.stream().map(t -> SqlIdentifier.qualified(FENCE_SCHEMA, t)).collect(Collectors.joining(", "));
    }

    /** @return the connection's current schema, checked */
    static String currentSchema(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT current_schema()")) {
            rs.next();
            return SqlIdentifier.require("schema", rs.getString(1));
        }
    }

    /** @return how many of the tables exist in a schema of the connection's database */
    int countIn(Connection connection, String inSchema) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("SELECT count(*) FROM pg_tables "
                + "WHERE schemaname = ? AND tablename = ANY (?)")) {
            st.setString(1, inSchema);
            st.setArray(2, connection.createArrayOf("text", tables.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Whether the source's tables were fenced by a committed freeze: all in the fence schema, none left in place.
     *
     * @throws IllegalStateException when they are split between both, which no step of a move leaves
     */
    boolean fenced(Connection source) throws SQLException {
        int inPlace = countIn(source, schema);
        int moved = countIn(source, FENCE_SCHEMA);
        if (moved == tables.size() && inPlace == 0) {
            return true;
        }
        if (inPlace == tables.size()) {
            return false;
        }
        throw new IllegalStateException("of the tables " + tables + ", " + inPlace + " are in schema " + schema
                + " and " + moved + " in " + FENCE_SCHEMA + ": fix them by hand (ALTER TABLE ... SET SCHEMA)");
    }

    /** A column whose values come from a sequence (identity or serial), which replication does not carry. */
    record SequenceColumn(String table, String column) {
    }

    /** @return the sequence-fed columns of the tables, read from the server's catalog */
    List<SequenceColumn> sequenceColumns(Connection connection, String inSchema) throws SQLException {
        List<SequenceColumn> found = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT table_name, column_name "
                + "FROM information_schema.columns WHERE table_schema = ? AND table_name = ANY (?) "
                + "AND (is_identity = 'YES' OR column_default LIKE 'nextval(%') ORDER BY table_name, column_name")) {
            st.setString(1, inSchema);
            st.setArray(2, connection.createArrayOf("text", tables.toArray()));
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    found.add(new SequenceColumn(SqlIdentifier.require("table", rs.getString(1)),
                            SqlIdentifier.require("column", rs.getString(2))));
                }
            }
        }
        return found;
    }

    /** @return a table's columns in their order, without dropped and generated ones, each checked */
    static List<String> columns(Connection connection, String inSchema, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement("SELECT column_name FROM information_schema.columns "
                + "WHERE table_schema = ? AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position")) {
            st.setString(1, inSchema);
            st.setString(2, table);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    columns.add(SqlIdentifier.require("column", rs.getString(1)));
                }
            }
        }
        return columns;
    }
}
