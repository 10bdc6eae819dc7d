package dev.foundups.db.internal.imports;

import static dev.foundups.db.internal.imports.ImportLedger.invalid;
import static dev.foundups.db.internal.imports.ImportLedger.stem;
import static dev.foundups.db.internal.imports.ImportLedger.unreadable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.jooq.DSLContext;
import org.jooq.DataType;
import org.jooq.impl.DSL;

import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.ImportReport;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.naming.NamespaceName;
import dev.foundups.db.internal.namespaces.Namespaces;

/**
 * The protocol's "migrate_to_unified" for a module: copies the module's own SQLite database into
 * {@code modules_<module>_*} and registers the module in the catalog, with no template. The whole file is read and
 * checked before anything is written, then written in one transaction; a file imported before adds nothing.
 *
 * <pre>
 * ImportReport report = new ModuleDatabaseImport(dsl, namespaces).importFile(Path.of("chat_rules.db"), null);
 * </pre>
 */
public final class ModuleDatabaseImport {

    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private final DSLContext dsl;
    private final Namespaces namespaces;
    private final DialectStrategy strategy;

    /**
     * @param dsl        the target database's shared context
     * @param namespaces its catalog
     * @param strategy   what the target's dialect does differently (where its tables are listed)
     */
    public ModuleDatabaseImport(DSLContext dsl, Namespaces namespaces, DialectStrategy strategy) {
        this.dsl = dsl;
        this.namespaces = namespaces;
        this.strategy = strategy;
    }

    /**
     * One legacy table, read whole before anything is written.
     *
     * @param name   its name in the legacy file, for messages
     * @param target the table it becomes, under its {@code modules_<module>_} name
     * @param rows   its rows, as read
     */
    private record LegacyTable(String name, TableSpec target, List<Object[]> rows) {
    }

    /**
     * Imports a module's own SQLite database: each table becomes {@code modules_<module>_<table>}, with its
     * columns and rows.
     *
     * @param file   the legacy database file
     * @param module the module name, or null to take it from the file name ({@code chat_rules.db})
     * @return what was imported
     * @throws FoundupsDbException INVALID_INPUT naming the file or table when the file is not a SQLite database, a
     *                             name breaks the rules, or the module has a table of that name with other columns
     */
    public ImportReport importFile(Path file, String module) {
        String name = module != null ? module : stem(file);
        NamespaceName.validate(NamespaceKind.MODULE, name, NamespaceName.MAX_NAME_LENGTH);
        requireSqlite(file);
        return new ImportLedger(dsl).importOnce(file, "module:" + name, () -> {
            List<LegacyTable> tables = readSqlite(file, name);
            return t -> {
                namespaces.registerImportedModule(t, name);
                Map<String, Long> counts = new LinkedHashMap<>();
                for (LegacyTable table : tables) {
                    checkTarget(t, file, name, table);
                    counts.put(table.target.name(), insertRows(t, table));
                }
                return counts;
            };
        });
    }

    private static void requireSqlite(Path file) {
        byte[] header = new byte[SQLITE_HEADER.length];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(header, 0, header.length) != header.length
                    || !Arrays.equals(header, SQLITE_HEADER)) {
                throw invalid(file + " is not a SQLite database (its first bytes are not 'SQLite format 3')");
            }
        } catch (IOException e) {
            throw unreadable(file, e);
        }
    }

    private static List<LegacyTable> readSqlite(Path file, String module) {
        Properties readOnly = new Properties();
        readOnly.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY: never touch the legacy file
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), readOnly);
             Statement st = c.createStatement()) {
            List<String> names = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' "
                    + "AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            List<LegacyTable> tables = new ArrayList<>();
            for (String table : names) {
                if (!TableSpec.TABLE_NAME.matcher(table).matches()) {
                    throw invalid(file + ", table '" + table + "': table names must be lower-case letters, digits "
                            + "and underscores to become modules_" + module + "_<table>");
                }
                String physical = NamespaceName.tablePrefix(NamespaceKind.MODULE, module) + table;
                // The longest name the table brings is its primary key's.
                if ((physical + TableSpec.PRIMARY_KEY_SUFFIX).length() > NamespaceName.MAX_IDENTIFIER_LENGTH) {
                    throw invalid(file + ", table '" + table + "': modules_" + module + "_" + table + " would be "
                            + "longer than PostgreSQL's 63-byte limit; import under a shorter --module name");
                }
                tables.add(readTable(st, file, table, physical));
            }
            return tables;
        } catch (SQLException e) {
            throw invalid(file + " cannot be read as a SQLite database: " + e.getMessage());
        }
    }

    private static LegacyTable readTable(Statement st, Path file, String table, String physical)
            throws SQLException {
        List<String> columns = new ArrayList<>();
        List<DataType<?>> types = new ArrayList<>();
        Map<Integer, String> key = new TreeMap<>();
        // Names come from sqlite_master and were checked; quoting keeps PRAGMA and SELECT safe anyway.
        try (ResultSet rs = st.executeQuery("PRAGMA table_info(\"" + table + "\")")) {
            while (rs.next()) {
                String column = rs.getString("name");
                if (!TableSpec.COLUMN_NAME.matcher(column).matches()) {
                    throw invalid(file + ", table '" + table + "', column '" + column + "': column names must be "
                            + "letters, digits and underscores");
                }
                columns.add(column);
                types.add(TableSpec.typeOf(rs.getString("type")));
                if (rs.getInt("pk") > 0) {
                    key.put(rs.getInt("pk"), column);
                }
            }
        }
        List<Object[]> rows;
        try {
            rows = readRows(st, "SELECT * FROM \"" + table + "\" ORDER BY rowid", columns.size());
        } catch (SQLException withoutRowid) {
            rows = readRows(st, "SELECT * FROM \"" + table + "\"", columns.size());
        }
        return new LegacyTable(table, new TableSpec(physical, columns, types, new ArrayList<>(key.values())), rows);
    }

    private static List<Object[]> readRows(Statement st, String sql, int width) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                Object[] row = new Object[width];
                for (int i = 0; i < width; i++) {
                    row[i] = rs.getObject(i + 1);
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private void checkTarget(DSLContext t, Path file, String module, LegacyTable table) {
        String physical = table.target.name();
        List<String> existing = existingColumns(t, physical);
        List<String> wanted = table.target.columns().stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        if (existing.isEmpty()) {
            table.target.create(t);
        } else if (!existing.equals(wanted)) {
            throw invalid(file + ", table '" + table.name + "': module '" + module + "' already has a table "
                    + physical + " with other columns " + existing + " than the legacy table's " + wanted
                    + "; nothing was imported. Import under another module name with --module NAME");
        }
    }

    /** The columns a table of that name has in the connection's schema, lower-cased; empty when there is none. */
    private List<String> existingColumns(DSLContext t, String physical) {
        return t.connectionResult(c -> strategy.columnNames(c, physical).stream()
                .map(name -> name.toLowerCase(Locale.ROOT)).toList());
    }

    private static long insertRows(DSLContext t, LegacyTable table) {
        TableSpec target = table.target;
        // Converted as they are bound: SQLite let the legacy column hold values of any type.
        return BatchInsert.insert(t, DSL.table(DSL.name(target.name())), target.fields(),
                () -> table.rows.stream().map(target::convert).iterator());
    }
}
