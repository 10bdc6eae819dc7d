package dev.foundups.db.internal.dialect;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A table's objects on PostgreSQL, from {@code pg_constraint}, {@code pg_index} and {@code pg_depend} in the
 * connection's current schema; each renamed in place by {@code ALTER ... RENAME}.
 */
final class PostgresTableObjects extends TableObjects {

    @Override
    public boolean tableExists(Connection connection, String table) throws SQLException {
        return !rows(connection, "SELECT 1 FROM pg_class WHERE relname = ? "
                + "AND relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')", table).isEmpty();
    }

    /** Its constraints, the indexes no constraint owns, and the sequences its columns own; each kind by name. */
    @Override
    public List<Owned> of(Connection connection, String table) throws SQLException {
        List<Owned> objects = new ArrayList<>();
        // Index-backed constraints (primary key, unique, exclusion) rename their index with them.
        objects.addAll(named(connection, "constraint", table, """
                SELECT con.conname FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
                WHERE t.relname = ? AND t.relnamespace = current_schema()::regnamespace
                ORDER BY con.conname"""));
        objects.addAll(named(connection, "index", table, """
                SELECT i.relname FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                WHERE t.relname = ? AND t.relnamespace = current_schema()::regnamespace
                AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid
                    AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x'))
                ORDER BY i.relname"""));
        // Identity columns own theirs internally ('i'), serial columns automatically ('a').
        objects.addAll(named(connection, "sequence", table, """
                SELECT s.relname FROM pg_depend d
                JOIN pg_class s ON s.oid = d.objid JOIN pg_class t ON t.oid = d.refobjid
                WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                AND d.deptype IN ('a', 'i') AND s.relkind = 'S'
                AND t.relname = ? AND t.relnamespace = current_schema()::regnamespace
                ORDER BY s.relname"""));
        return objects;
    }

    private static List<Owned> named(Connection connection, String kind, String table, String sql)
            throws SQLException {
        return rows(connection, sql, table).stream().map(row -> new Owned(kind, row.get(0))).toList();
    }

    @Override
    public void rename(Connection connection, Owned object, String to, String table) throws SQLException {
        execute(connection, switch (object.kind()) {
            case "constraint" -> "ALTER TABLE " + quote(table) + " RENAME CONSTRAINT " + quote(object.name())
                    + " TO " + quote(to);
            case "index" -> "ALTER INDEX " + quote(object.name()) + " RENAME TO " + quote(to);
            case "sequence" -> "ALTER SEQUENCE " + quote(object.name()) + " RENAME TO " + quote(to);
            default -> throw new IllegalStateException(object.kind());
        });
    }
}
