package dev.foundups.db.internal.dialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/**
 * A table's objects on SQLite: its indexes and triggers, from {@code sqlite_master}. SQLite has no way to rename an
 * index or trigger, so each is dropped and created again under its new name (see {@link #recreateSql}).
 *
 * <p>The names of table constraints ({@code CONSTRAINT x PRIMARY KEY ...}) stay as they are in the table's stored
 * definition: on SQLite they are not schema objects, they are not unique, and nothing can refer to them (SQLite has
 * no ALTER or DROP CONSTRAINT), so they cannot collide with a later namespace of the old name. Renaming them would
 * mean rebuilding every table with a copy of its rows.
 */
final class SqliteTableObjects extends TableObjects {

    private static final Pattern CREATE_INDEX = Pattern.compile(
            "(?is)^\\s*CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?");
    private static final Pattern CREATE_TRIGGER = Pattern.compile(
            "(?is)^\\s*CREATE\\s+(?:TEMP\\s+|TEMPORARY\\s+)?TRIGGER\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?");
    /** An SQLite identifier: "double", [bracket], `back tick`, 'single' quoted, or bare. */
    private static final Pattern IDENTIFIER = Pattern.compile(
            "\"(?:[^\"]|\"\")*\"|\\[[^\\]]*\\]|`(?:[^`]|``)*`|'(?:[^']|'')*'|[A-Za-z_][A-Za-z0-9_$]*");

    @Override
    public boolean tableExists(Connection connection, String table) throws SQLException {
        return !rows(connection, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE",
                table).isEmpty();
    }

    /** Its indexes and triggers; automatic indexes ({@code sqlite_autoindex_*}, no SQL) follow their table. */
    @Override
    public List<Owned> of(Connection connection, String table) throws SQLException {
        return rows(connection, "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') "
                + "AND tbl_name = ? COLLATE NOCASE AND sql IS NOT NULL ORDER BY type, name", table).stream()
                .map(row -> new Owned(row.get(0), row.get(1))).toList();
    }

    @Override
    public void rename(Connection connection, Owned object, String to, String table) throws SQLException {
        if (!object.kind().equals("index") && !object.kind().equals("trigger")) {
            throw new IllegalStateException(object.kind());
        }
        recreate(connection, object.kind(), object.name(), to);
    }

    /**
     * Drops an index or trigger and creates it again under its new name, from its own stored definition. The
     * definition is read after the table was renamed, when ALTER TABLE ... RENAME has already rewritten its table
     * reference (and any table named in a trigger body).
     *
     * @param type {@code index} or {@code trigger}
     * @param from the object's name
     * @param to   its new name
     */
    private static void recreate(Connection connection, String type, String from, String to) throws SQLException {
        String sql;
        try (PreparedStatement read = connection.prepareStatement(
                "SELECT sql FROM sqlite_master WHERE type = ? AND name = ?")) {
            read.setString(1, type);
            read.setString(2, from);
            try (ResultSet rs = read.executeQuery()) {
                if (!rs.next()) {
                    throw new FoundupsDbException(ErrorCode.MIGRATION, type + " " + from + " disappeared while "
                            + "it was being renamed; nothing was renamed");
                }
                sql = rs.getString(1);
            }
        }
        String renamed = recreateSql(type, sql, from, to);
        execute(connection, "DROP " + type.toUpperCase(Locale.ROOT) + " " + quote(from));
        execute(connection, renamed);
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
}
