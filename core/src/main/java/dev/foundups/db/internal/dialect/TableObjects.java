package dev.foundups.db.internal.dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The objects that belong to a table (constraints, indexes, sequences, triggers) as the engine's own catalog lists
 * them, and how the dialect renames them: what renaming a namespace ({@code PrefixRename}) needs of the dialect.
 * One per dialect, from {@link DialectStrategy#tableObjects()}. Every method works on the caller's connection, in
 * its transaction.
 */
public abstract class TableObjects {

    /**
     * An object that belongs to a table.
     *
     * @param kind constraint, index, sequence or trigger
     * @param name its name
     */
    public record Owned(String kind, String name) {
    }

    TableObjects() {
    }

    /** @return whether the connection's schema has a table of this name */
    public abstract boolean tableExists(Connection connection, String table) throws SQLException;

    /**
     * The objects of a table that a rename of its namespace renames with it, found through the table (never by
     * matching names against a prefix).
     *
     * @param table the table
     * @return its objects, in the order to rename them
     */
    public abstract List<Owned> of(Connection connection, String table) throws SQLException;

    /** Renames a table; its objects keep their names until they are renamed themselves. */
    public final void renameTable(Connection connection, String from, String to) throws SQLException {
        execute(connection, "ALTER TABLE " + quote(from) + " RENAME TO " + quote(to));
    }

    /**
     * Renames an object that {@link #of} listed, after its table was renamed.
     *
     * @param object the object
     * @param to     its new name
     * @param table  its table's new name
     */
    public abstract void rename(Connection connection, Owned object, String to, String table) throws SQLException;

    /** @return the rows of a query with one text parameter, each row as its columns' text */
    static List<List<String>> rows(Connection connection, String sql, String parameter) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setString(1, parameter);
            try (ResultSet rs = st.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<String> row = new ArrayList<>(columns);
                    for (int i = 1; i <= columns; i++) {
                        row.add(rs.getString(i));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
