package dev.foundups.db.internal.namespaces;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.naming.NamespaceName;

/**
 * Moves every database object of one namespace from its table prefix to another, inside the caller's
 * transaction: the template's tables, then what hangs off those tables (indexes, named constraints, and on
 * PostgreSQL the identity or serial sequences they own).
 *
 * <p>Objects are found from the template's table names and the engine's catalog of what belongs to each table
 * ({@code pg_constraint}, {@code pg_index}, {@code pg_depend}; {@code sqlite_master} by {@code tbl_name}), never by
 * matching names against the old prefix alone: {@code foundups_ab_} is also a prefix of the objects of FoundUp
 * {@code ab_c}. An object found this way is renamed only when its name starts with the old prefix (the template's
 * rule); one named otherwise keeps its name and simply moves with its table. Everything is planned before the first
 * statement runs, so a new prefix that itself starts with the old one (renaming {@code ab} to {@code ab_c}) never
 * renames an object twice.
 *
 * <p>SQLite specifics: SQLite has no way to rename an index or trigger, so each is dropped and created again under
 * its new name (see {@link #recreateSql}); and the names of table constraints ({@code CONSTRAINT x PRIMARY KEY ...})
 * stay as they are in the table's stored definition. On SQLite those names are not schema objects: they are not
 * unique, nothing can refer to them (SQLite has no ALTER or DROP CONSTRAINT), so they cannot collide with a later
 * namespace of the old name. Renaming them would mean rebuilding every table with a copy of its rows.
 */
final class PrefixRename {

    /**
     * One object to rename.
     *
     * @param what  table, constraint, index, sequence or trigger
     * @param from  its name now
     * @param to    its new name
     * @param table for an object of a table, the table's new name; else null
     */
    record Step(String what, String from, String to, String table) {
    }

    private static final Pattern CREATE_INDEX = Pattern.compile(
            "(?is)^\\s*CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?");
    private static final Pattern CREATE_TRIGGER = Pattern.compile(
            "(?is)^\\s*CREATE\\s+(?:TEMP\\s+|TEMPORARY\\s+)?TRIGGER\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?");
    /** An SQLite identifier: "double", [bracket], `back tick`, 'single' quoted, or bare. */
    private static final Pattern IDENTIFIER = Pattern.compile(
            "\"(?:[^\"]|\"\")*\"|\\[[^\\]]*\\]|`(?:[^`]|``)*`|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_$]*");

    private final boolean postgres;
    private final List<String> tables;
    private final String oldPrefix;
    private final String newPrefix;
    private final List<Step> steps = new ArrayList<>();

    /**
     * @param postgres  true on PostgreSQL, false on SQLite
     * @param tables    the template's table names, without prefix, in template order
     * @param oldPrefix the namespace's current prefix
     * @param newPrefix its new prefix
     */
    PrefixRename(boolean postgres, List<String> tables, String oldPrefix, String newPrefix) {
        this.postgres = postgres;
        this.tables = List.copyOf(tables);
        this.oldPrefix = oldPrefix;
        this.newPrefix = newPrefix;
    }

    /** @return what {@link #run} planned to rename, in order; empty before it ran */
    List<Step> steps() {
        return List.copyOf(steps);
    }

    /**
     * Finds the namespace's objects and renames them, on the caller's transaction's connection.
     *
     * @param connection the transaction's connection
     * @throws SQLException                when a statement fails (the caller rolls back)
     * @throws FoundupsDbException (MIGRATION) when a template table is missing or a new name would be too long
     */
    void run(Connection connection) throws SQLException {
        plan(connection);
        try (Statement st = connection.createStatement()) {
            for (Step step : steps) {
                if (step.what.equals("table")) {
                    st.execute("ALTER TABLE " + quote(step.from) + " RENAME TO " + quote(step.to));
                }
            }
            for (Step step : steps) {
                switch (step.what) {
                    case "table" -> { }
                    case "constraint" -> st.execute("ALTER TABLE " + quote(step.table) + " RENAME CONSTRAINT "
                            + quote(step.from) + " TO " + quote(step.to));
                    case "index" -> {
                        if (postgres) {
                            st.execute("ALTER INDEX " + quote(step.from) + " RENAME TO " + quote(step.to));
                        } else {
                            recreate(connection, st, "index", step);
                        }
                    }
                    case "sequence" -> st.execute("ALTER SEQUENCE " + quote(step.from) + " RENAME TO "
                            + quote(step.to));
                    case "trigger" -> recreate(connection, st, "trigger", step);
                    default -> throw new IllegalStateException(step.what);
                }
            }
        }
    }

    private void plan(Connection connection) throws SQLException {
        steps.clear();
        List<Step> hanging = new ArrayList<>();
        for (String table : tables) {
            String physical = oldPrefix + table;
            if (!tableExists(connection, physical)) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, "table " + physical + " of the namespace does not "
                        + "exist, so the database does not match its catalog row; nothing was renamed");
            }
            steps.add(new Step("table", physical, newPrefix + table, null));
            if (postgres) {
                // Index-backed constraints (primary key, unique, exclusion) rename their index with them.
                owned(connection, hanging, "constraint", table, """
                        SELECT con.conname FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
                        WHERE t.relname = ? AND t.relnamespace = current_schema()::regnamespace
                        ORDER BY con.conname""");
                owned(connection, hanging, "index", table, """
                        SELECT i.relname FROM pg_index x
                        JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                        WHERE t.relname = ? AND t.relnamespace = current_schema()::regnamespace
                        AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid
                            AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x'))
                        ORDER BY i.relname""");
                // Identity columns own theirs internally ('i'), serial columns automatically ('a').
                owned(connection, hanging, "sequence", table, """
                        SELECT s.relname FROM pg_depend d
                        JOIN pg_class s ON s.oid = d.objid JOIN pg_class t ON t.oid = d.refobjid
                        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                        AND d.deptype IN ('a', 'i') AND s.relkind = 'S'
                        AND t.relname = ? AND t.relnamespace = current_schema()::regnamespace
                        ORDER BY s.relname""");
            } else {
                // Automatic indexes (sqlite_autoindex_*, no SQL) follow their table by themselves.
                try (PreparedStatement st = connection.prepareStatement("SELECT type, name FROM sqlite_master "
                        + "WHERE type IN ('index', 'trigger') AND tbl_name = ? COLLATE NOCASE AND sql IS NOT NULL "
                        + "ORDER BY type, name")) {
                    st.setString(1, physical);
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            add(hanging, rs.getString(1), table, rs.getString(2));
                        }
                    }
                }
            }
        }
        steps.addAll(hanging);
        for (Step step : steps) {
            if (step.to.length() > NamespaceName.MAX_IDENTIFIER_LENGTH) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, step.what + " " + step.from + " would be renamed to "
                        + step.to + ", longer than " + NamespaceName.MAX_IDENTIFIER_LENGTH + " characters (PostgreSQL "
                        + "would cut it short); choose a shorter name");
            }
        }
    }

    private void owned(Connection connection, List<Step> out, String what, String table, String sql)
            throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setString(1, oldPrefix + table);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    add(out, what, table, rs.getString(1));
                }
            }
        }
    }

    /** Plans the rename of an object of a template table, when its name carries the old prefix. */
    private void add(List<Step> out, String what, String table, String name) {
        if (name.toLowerCase(Locale.ROOT).startsWith(oldPrefix)) {
            out.add(new Step(what, name, newPrefix + name.substring(oldPrefix.length()), newPrefix + table));
        }
    }

    private boolean tableExists(Connection connection, String physical) throws SQLException {
        String sql = postgres
                ? "SELECT 1 FROM pg_class WHERE relname = ? AND relnamespace = current_schema()::regnamespace "
                        + "AND relkind IN ('r', 'p')"
                : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE";
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setString(1, physical);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * SQLite: drops an index or trigger and creates it again under its new name, from its own stored definition.
     * The definition is read after the table was renamed, when ALTER TABLE ... RENAME has already rewritten its
     * table reference (and any table named in a trigger body).
     */
    private static void recreate(Connection connection, Statement st, String type, Step step) throws SQLException {
        String sql;
        try (PreparedStatement read = connection.prepareStatement(
                "SELECT sql FROM sqlite_master WHERE type = ? AND name = ?")) {
            read.setString(1, type);
            read.setString(2, step.from);
            try (ResultSet rs = read.executeQuery()) {
                if (!rs.next()) {
                    throw new FoundupsDbException(ErrorCode.MIGRATION, type + " " + step.from + " disappeared while "
                            + "it was being renamed; nothing was renamed");
                }
                sql = rs.getString(1);
            }
        }
        String renamed = recreateSql(type, sql, step.from, step.to);
        st.execute("DROP " + type.toUpperCase(Locale.ROOT) + " " + quote(step.from));
        st.execute(renamed);
    }

    /**
     * The stored {@code CREATE INDEX} or {@code CREATE TRIGGER} statement of an SQLite object with only its name
     * replaced.
     *
     * <p>Why from {@code sqlite_master} and not from the template's DDL rendered for the new prefix: the stored
     * statement is the object's exact current definition, whichever changeset made it (a later changeset may drop
     * or redefine an index of an earlier one, which the template's DDL would only tell by replaying it), and it
     * already names the renamed table. The name is the one token that changes, and it is replaced only after
     * checking that the token right after {@code CREATE [UNIQUE] INDEX [IF NOT EXISTS]} is that very name; anything
     * else refuses the rename rather than guess.
     *
     * @param type {@code index} or {@code trigger}
     * @param sql  the statement from {@code sqlite_master}
     * @param from the object's name
     * @param to   its new name
     * @return the statement that creates it under the new name
     * @throws FoundupsDbException (MIGRATION) when the statement does not start with the object's name
     */
    static String recreateSql(String type, String sql, String from, String to) {
        Matcher head = (type.equals("index") ? CREATE_INDEX : CREATE_TRIGGER).matcher(sql);
        if (head.lookingAt()) {
            Matcher name = IDENTIFIER.matcher(sql).region(head.end(), sql.length());
            // The name, and not a schema qualifier in front of it (SQLite removes those when it stores the SQL).
            if (name.lookingAt() && unquote(name.group()).equalsIgnoreCase(from)
                    && !sql.substring(name.end()).stripLeading().startsWith(".")) {
                return sql.substring(0, name.start()) + quote(to) + sql.substring(name.end());
            }
        }
        throw new FoundupsDbException(ErrorCode.MIGRATION, "cannot re-create " + type + " " + from + " under its new "
                + "name: its stored definition does not start with its name as expected (" + sql + "); nothing was "
                + "renamed");
    }

    private static String unquote(String identifier) {
        char first = identifier.charAt(0);
        return switch (first) {
            case '"' -> identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"");
            case '`' -> identifier.substring(1, identifier.length() - 1).replace("``", "`");
            case '\'' -> identifier.substring(1, identifier.length() - 1).replace("''", "'");
            case '[' -> identifier.substring(1, identifier.length() - 1);
            default -> identifier;
        };
    }

    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
