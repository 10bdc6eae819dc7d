package dev.foundups.db.internal.namespaces;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.dialect.TableObjects;
import dev.foundups.db.internal.naming.NamespaceName;

/**
 * Moves every database object of one namespace from its table prefix to another, inside the caller's
 * transaction: the template's tables, then what hangs off those tables (indexes, named constraints, and on
 * PostgreSQL the identity or serial sequences they own).
 *
 * <p>Objects are found from the template's table names and the engine's catalog of what belongs to each table
 * ({@link TableObjects} of the dialect: {@code pg_constraint}, {@code pg_index}, {@code pg_depend}; {@code
 * sqlite_master} by {@code tbl_name}), never by matching names against the old prefix alone: {@code foundups_ab_}
 * is also a prefix of the objects of FoundUp {@code ab_c}. An object found this way is renamed only when its name
 * starts with the old prefix (the template's rule); one named otherwise keeps its name and simply moves with its
 * table. Everything is planned before the first statement runs, so a new prefix that itself starts with the old one
 * (renaming {@code ab} to {@code ab_c}) never renames an object twice. How an object is renamed is the dialect's
 * (SQLite re-creates indexes and triggers, and keeps the names of table constraints).
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

    private final TableObjects objects;
    private final List<String> tables;
    private final String oldPrefix;
    private final String newPrefix;
    private final List<Step> steps = new ArrayList<>();

    /**
     * @param objects   the dialect's catalog of table objects
     * @param tables    the template's table names, without prefix, in template order
     * @param oldPrefix the namespace's current prefix
     * @param newPrefix its new prefix
     */
    PrefixRename(TableObjects objects, List<String> tables, String oldPrefix, String newPrefix) {
        this.objects = objects;
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
        for (Step step : steps) {
            if (step.what.equals("table")) {
                objects.renameTable(connection, step.from, step.to);
            }
        }
        for (Step step : steps) {
            if (!step.what.equals("table")) {
                objects.rename(connection, new TableObjects.Owned(step.what, step.from), step.to, step.table);
            }
        }
    }

    private void plan(Connection connection) throws SQLException {
        steps.clear();
        List<Step> hanging = new ArrayList<>();
        for (String table : tables) {
            String physical = oldPrefix + table;
            if (!objects.tableExists(connection, physical)) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, "table " + physical + " of the namespace does not "
                        + "exist, so the database does not match its catalog row; nothing was renamed");
            }
            steps.add(new Step("table", physical, newPrefix + table, null));
            for (TableObjects.Owned object : objects.of(connection, physical)) {
                add(hanging, object.kind(), table, object.name());
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

    /** Plans the rename of an object of a template table, when its name carries the old prefix. */
    private void add(List<Step> out, String what, String table, String name) {
        if (name.toLowerCase(Locale.ROOT).startsWith(oldPrefix)) {
            out.add(new Step(what, name, newPrefix + name.substring(oldPrefix.length()), newPrefix + table));
        }
    }
}
