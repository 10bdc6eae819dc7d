package dev.foundups.db.codegen;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import liquibase.change.Change;
import liquibase.change.ColumnConfig;
import liquibase.change.core.AddColumnChange;
import liquibase.change.core.AddForeignKeyConstraintChange;
import liquibase.change.core.CreateSequenceChange;
import liquibase.change.core.CreateTableChange;
import liquibase.change.core.ModifyDataTypeChange;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;

/**
 * Which changeset of a template declared a table, a column, a foreign key or a sequence, so that a problem found in
 * the database's catalog can name the file to fix. Only the structured changes are known; an object made by a
 * {@code <sql>} change has no known origin.
 */
final class ChangeSetOrigins {

    private final Map<String, ChangeSet> tables = new HashMap<>();
    private final Map<String, ChangeSet> columns = new HashMap<>();
    private final Map<String, ChangeSet> constraints = new HashMap<>();
    private final Map<String, ChangeSet> sequences = new HashMap<>();

    /**
     * Reads the changesets that run on PostgreSQL, in order: a later declaration (a recreated table, a changed
     * column type) wins.
     *
     * @param changeLog the parsed changelog, its parameters substituted
     */
    ChangeSetOrigins(DatabaseChangeLog changeLog) {
        for (ChangeSet changeSet : changeLog.getChangeSets()) {
            if (!runsOnPostgres(changeSet.getDbmsSet())) {
                continue;
            }
            for (Change change : changeSet.getChanges()) {
                if (change instanceof CreateTableChange create) {
                    tables.put(key(create.getTableName()), changeSet);
                    columns(create.getTableName(), create.getColumns(), changeSet);
                } else if (change instanceof AddColumnChange add) {
                    columns(add.getTableName(), add.getColumns(), changeSet);
                } else if (change instanceof ModifyDataTypeChange modify) {
                    columns.put(key(modify.getTableName() + "." + modify.getColumnName()), changeSet);
                } else if (change instanceof AddForeignKeyConstraintChange fk && fk.getConstraintName() != null) {
                    constraints.put(key(fk.getConstraintName()), changeSet);
                } else if (change instanceof CreateSequenceChange sequence) {
                    sequences.put(key(sequence.getSequenceName()), changeSet);
                }
            }
        }
    }

    /** @return where the table was created, or null when unknown */
    String table(String table) {
        return where(tables.get(key(table)));
    }

    /** @return where the column's type was last declared, else where its table was created, else null */
    String column(String table, String column) {
        ChangeSet changeSet = columns.get(key(table + "." + column));
        return changeSet != null ? where(changeSet) : table(table);
    }

    /** @return where the foreign key was declared, else where its table was created, else null */
    String foreignKey(String table, String constraint) {
        ChangeSet changeSet = constraints.get(key(constraint));
        return changeSet != null ? where(changeSet) : table(table);
    }

    /** @return where the sequence was created, or null when unknown */
    String sequence(String sequence) {
        return where(sequences.get(key(sequence)));
    }

    private void columns(String table, List<? extends ColumnConfig> configs, ChangeSet changeSet) {
        for (ColumnConfig column : configs) {
            columns.put(key(table + "." + column.getName()), changeSet);
            if (column.getConstraints() != null && column.getConstraints().getForeignKeyName() != null) {
                constraints.put(key(column.getConstraints().getForeignKeyName()), changeSet);
            }
        }
    }

    /** A changeset's {@code dbms}: empty or absent is every database, {@code !x} excludes x. */
    static boolean runsOnPostgres(Collection<String> dbms) {
        if (dbms == null || dbms.isEmpty()) {
            return true;
        }
        boolean anyPositive = false;
        for (String raw : dbms) {
            String d = raw.strip().toLowerCase(Locale.ROOT);
            if (d.equals("!postgresql") || d.equals("none")) {
                return false;
            }
            if (d.equals("postgresql") || d.equals("all")) {
                return true;
            }
            anyPositive |= !d.startsWith("!");
        }
        return !anyPositive; // only exclusions of other databases
    }

    private static String where(ChangeSet changeSet) {
        return changeSet == null ? null : changeSet.getFilePath() + ", changeset " + changeSet.getId();
    }

    private static String key(String name) {
        // PostgreSQL folds unquoted names to lower case; template names are lower case anyway.
        return name == null ? "" : name.toLowerCase(Locale.ROOT);
    }
}
