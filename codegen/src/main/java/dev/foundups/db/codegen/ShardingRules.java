package dev.foundups.db.codegen;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.foundups.db.codegen.ShardingLint.Names;
import dev.foundups.db.codegen.ShardingLint.Problem;

/**
 * The three sharding rules as queries on PostgreSQL's catalog, over the relations one template made.
 */
final class ShardingRules {

    private static final String TABLES_WITHOUT_PRIMARY_KEY = "SELECT c.relname FROM pg_class c "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = ANY (?) "
            + "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p') "
            + "ORDER BY c.relname";

    /** 16- and 32-bit columns, with the reasons each would have to be 64-bit. */
    private static final String NARROW_COLUMNS = "SELECT c.relname, a.attname, "
            + "format_type(a.atttypid, a.atttypmod), "
            + "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p' "
            + "  AND a.attnum = ANY (k.conkey)), "
            + "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.contype = 'f' AND ((k.conrelid = c.oid "
            + "  AND a.attnum = ANY (k.conkey)) OR (k.confrelid = c.oid AND a.attnum = ANY (k.confkey)))), "
            + "a.attidentity <> '', "
            + "COALESCE(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false) "
            + "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            + "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname = ANY (?) "
            + "AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid IN ('int2'::regtype, 'int4'::regtype) "
            + "ORDER BY c.relname, a.attnum";

    /** Sequences that are not bigint, with the column that owns them (serial, identity), if any. */
    private static final String NARROW_SEQUENCES = "SELECT c.relname, format_type(s.seqtypid, NULL), t.relname, "
            + "a.attname FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid "
            + "  AND dep.refclassid = 'pg_class'::regclass AND dep.refobjsubid > 0 AND dep.deptype IN ('a', 'i') "
            + "LEFT JOIN pg_class t ON t.oid = dep.refobjid "
            + "LEFT JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid "
            + "WHERE n.nspname = current_schema() AND c.relname = ANY (?) AND s.seqtypid <> 'int8'::regtype "
            + "ORDER BY c.relname";

    /** Foreign keys of the template's tables, with the table they reference and its schema. */
    private static final String FOREIGN_KEYS = "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid), "
            + "f.relname, fn.nspname = current_schema() FROM pg_constraint k "
            + "JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "JOIN pg_class f ON f.oid = k.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace "
            + "WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.relname = ANY (?) "
            + "ORDER BY c.relname, k.conname";

    private final Connection connection;
    private final Array mine;
    private final Set<String> mineNames = new HashSet<>();
    private final Names names;
    private final ChangeSetOrigins origins;

    ShardingRules(Connection connection, Array mine, Names names, ChangeSetOrigins origins) throws SQLException {
        this.connection = connection;
        this.mine = mine;
        this.names = names;
        this.origins = origins;
        for (Object name : (Object[]) mine.getArray()) {
            mineNames.add((String) name);
        }
    }

    /** @return every broken rule, by rule then by table */
    List<Problem> problems() throws SQLException {
        List<Problem> problems = new ArrayList<>();
        primaryKeys(problems);
        Set<String> flagged = narrowColumns(problems);
        narrowSequences(problems, flagged);
        foreignKeys(problems);
        return problems;
    }

    private void primaryKeys(List<Problem> problems) throws SQLException {
        for (Object[] row : query(TABLES_WITHOUT_PRIMARY_KEY)) {
            String table = (String) row[0];
            String t = names.template(table);
            problems.add(new Problem(origins.table(table), ShardingLint.PRIMARY_KEY, "table " + table + " (" + t
                    + ") has no primary key",
                    "while a namespace moves to another shard by logical replication, UPDATE and DELETE on a table "
                            + "without one fail",
                    "declare one where the table is created (<constraints primaryKey=\"true\" primaryKeyName=\"" + t
                            + "_pkey\"/> on its key column); if that changeset has already been applied, add a "
                            + "changeset with <addPrimaryKey dbms=\"postgresql\" tableName=\"" + t
                            + "\" columnNames=\"...\" constraintName=\"" + t + "_pkey\"/> (sharding is "
                            + "PostgreSQL-only, and Liquibase cannot add a primary key on SQLite)"));
        }
    }

    private Set<String> narrowColumns(List<Problem> problems) throws SQLException {
        Set<String> flagged = new HashSet<>();
        for (Object[] row : query(NARROW_COLUMNS)) {
            String table = (String) row[0];
            String column = (String) row[1];
            List<String> roles = new ArrayList<>();
            if ((Boolean) row[3]) {
                roles.add("primary key");
            }
            if ((Boolean) row[4]) {
                roles.add("foreign key");
            }
            if ((Boolean) row[5]) {
                roles.add("identity");
            }
            if ((Boolean) row[6]) {
                roles.add("filled from a sequence");
            }
            if (roles.isEmpty()) {
                continue; // a plain number, such as a count: its width is the author's business
            }
            flagged.add(table + "." + column);
            String t = names.template(table);
            problems.add(new Problem(origins.column(table, column), ShardingLint.BIGINT, "column " + table + "."
                    + column + " (" + t + "." + column + ") is " + row[2] + " (" + String.join(", ", roles) + ")",
                    "a namespace's ids keep growing wherever it lives, and a 32-bit key runs out at 2,147,483,647",
                    "declare it as ${id.type} (BIGINT on PostgreSQL); if that changeset has already been applied, "
                            + "add a changeset with <modifyDataType dbms=\"postgresql\" tableName=\"" + t
                            + "\" columnName=\"" + column + "\" newDataType=\"BIGINT\"/> (SQLite's INTEGER is "
                            + "64-bit already)"));
        }
        return flagged;
    }

    private void narrowSequences(List<Problem> problems, Set<String> flaggedColumns) throws SQLException {
        for (Object[] row : query(NARROW_SEQUENCES)) {
            if (row[2] != null && flaggedColumns.contains(row[2] + "." + row[3])) {
                continue; // reported with its column, and fixed with it
            }
            String sequence = (String) row[0];
            String s = names.template(sequence);
            String owner = row[2] == null ? "" : ", used by " + row[2] + "." + row[3];
            problems.add(new Problem(origins.sequence(sequence), ShardingLint.BIGINT, "sequence " + sequence + " ("
                    + s + owner + ") is " + row[1],
                    "the ids it hands out stop at its type's maximum",
                    "create it without dataType, or with dataType=\"BIGINT\"; if that changeset has already been "
                            + "applied, add a changeset with <sql dbms=\"postgresql\">ALTER SEQUENCE " + s
                            + " AS bigint</sql>"));
        }
    }

    private void foreignKeys(List<Problem> problems) throws SQLException {
        for (Object[] row : query(FOREIGN_KEYS)) {
            String table = (String) row[0];
            String referenced = (String) row[3];
            if ((Boolean) row[4] && mineNames.contains(referenced)) {
                continue;
            }
            String constraint = (String) row[1];
            String t = names.template(table);
            problems.add(new Problem(origins.foreignKey(table, constraint), ShardingLint.INSIDE, "foreign key "
                    + constraint + " of table " + table + " (" + t + ") references " + referenced
                    + ", which is not a table of this template (" + row[2] + ")",
                    "a namespace's tables move between shards together, and a table of another namespace or of the "
                            + "shared changelog may be on another server",
                    "keep the column without a foreign key and check the reference in code, or move the referenced "
                            + "table into this template; if that changeset has already been applied, add a changeset "
                            + "with <dropForeignKeyConstraint dbms=\"postgresql\" baseTableName=\"" + t
                            + "\" constraintName=\"" + names.template(constraint) + "\"/>"));
        }
    }

    private List<Object[]> query(String sql) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setArray(1, mine);
            try (ResultSet rs = s.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Object[] row = new Object[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = rs.getObject(i + 1);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }
}
