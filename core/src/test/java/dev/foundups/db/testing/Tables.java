package dev.foundups.db.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.foundups.db.FoundupsDb;

/** What a user would see in the database: its table names, read through JDBC metadata. */
public final class Tables {

    private Tables() {
    }

    /**
     * @param db an open database
     * @return the names of its tables, lower case, sorted
     */
    public static List<String> names(FoundupsDb db) {
        return db.dsl().connectionResult(Tables::names);
    }

    static List<String> names(Connection connection) throws SQLException {
        List<String> names = new ArrayList<>();
        try (ResultSet rs = connection.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String schema = rs.getString("TABLE_SCHEM");
                if (schema == null || schema.equals("public")) {
                    names.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
                }
            }
        }
        names.sort(null);
        return names;
    }
}
