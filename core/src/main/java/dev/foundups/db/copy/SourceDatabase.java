package dev.foundups.db.copy;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_SHARDS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.jooq.DSLContext;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.Record1;
import org.jooq.Table;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.config.JooqSettings;
import dev.foundups.db.internal.imports.TableSpec;
import dev.foundups.db.jooq.DefaultSchema;
import dev.foundups.db.jooq.Tables;
import dev.foundups.db.internal.namespaces.CatalogRows;
import dev.foundups.db.internal.namespaces.Template;
import dev.foundups.db.internal.namespaces.TemplateRegistry;

/**
 * The database copied from, read through one connection in one read-only transaction: every table is read from
 * the same snapshot (SQLite WAL read transaction, PostgreSQL REPEATABLE READ), so a copy is consistent even if
 * something writes to the source meanwhile. Never written to; never migrated.
 */
final class SourceDatabase implements AutoCloseable {

    /** The shared tables copied row for row. The other foundupsdb_* tables are the target's own bookkeeping. */
    static final List<Table<?>> SHARED_TABLES = List.of(Tables.AGENTS_AWAKENING, Tables.AGENTS_MEMORY,
            Tables.AGENTS_ERRORS, Tables.FOUNDUPSDB_IMPORTS);

    private static final Pattern TABLE_NAME = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Pattern COLUMN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** An imported module's table, as the target must create it. */
    record ImportedTable(String name, List<String> columns, List<DataType<?>> types, List<String> primaryKey) {
    }

    /** What to copy: the catalog's namespaces, imported tables to create, and every table in copy order. */
    record Plan(List<NamespaceInfo> namespaces, Map<String, List<ImportedTable>> imported, List<CopyTable> tables,
                Map<String, Long> rows) {
        long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final DatabaseUrl url;
    private final Connection connection;
    private final DSLContext dsl;

    private SourceDatabase(DatabaseUrl url, Connection connection) {
        this.url = url;
        this.connection = connection;
        this.dsl = DSL.using(connection, url.strategy().jooqDialect(), JooqSettings.plain());
    }

    /**
     * @param url     the source
     * @param setting what to call it in messages, such as {@code --from}
     */
    static SourceDatabase open(DatabaseUrl url, String setting) {
        Properties properties = url.strategy().snapshotReaderProperties(url, setting);
        Connection connection = TargetPreparation.connect(url, setting, properties);
        try {
            url.strategy().beginSnapshot(connection);
            connection.setAutoCommit(false); // one transaction, one snapshot, for the whole copy
            return new SourceDatabase(url, connection);
        } catch (SQLException e) {
            close(connection);
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot start a read transaction on " + setting
                    + " " + url + ": " + DatabaseUrl.mask(String.valueOf(e.getMessage())), e);
        }
    }

    DatabaseUrl url() {
        return url;
    }

    DSLContext dsl() {
        return dsl;
    }

    /**
     * Reads the catalog and decides what to copy.
     *
     * @param templates    the templates on the class path, rendered for the source's dialect
     * @param requireReady refuse (naming the command to run) when a namespace is failed, behind or ahead of this
     *                     release's templates, or the shared tables are older than this release's
     */
    Plan plan(TemplateRegistry templates, boolean requireReady, String setting) {
        Set<String> existing = tables();
        if (!existing.contains(FOUNDUPSDB_NAMESPACES.getName())) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, setting + " " + url + " is not a FoundUps DB: it has "
                    + "no " + FOUNDUPSDB_NAMESPACES.getName() + " table");
        }
        if (existing.contains(FOUNDUPSDB_SHARDS.getName()) && dsl.fetchExists(FOUNDUPSDB_SHARDS)) {
            // This reads one database: a sharded one's other shards would be silently missing from the copy.
            throw new FoundupsDbException(ErrorCode.TRANSFER, setting + " " + url + " is sharded: its namespaces and "
                    + "agents are spread over several databases, and a copy reads one. Copy from a database that is "
                    + "not sharded, or take a backup set of the sharded one (foundups-db backup FOLDER)");
        }
        List<String> problems = new ArrayList<>();
        for (Table<?> shared : SHARED_TABLES) {
            if (requireReady) {
                checkColumns(shared, existing, problems);
            }
        }
        List<NamespaceInfo> namespaces = dsl.selectFrom(FOUNDUPSDB_NAMESPACES).orderBy(FOUNDUPSDB_NAMESPACES.ID)
                .fetch(CatalogRows::info);
        List<CopyTable> tables = new ArrayList<>();
        for (Table<?> shared : SHARED_TABLES) {
            tables.add(generated(shared, shared.getName(), null));
        }
        Map<String, List<ImportedTable>> imported = new LinkedHashMap<>();
        for (NamespaceInfo ns : namespaces) {
            if (ns.state() == NamespaceState.DROPPED) {
                continue;
            }
            if (ns.state() == NamespaceState.FAILED) {
                problems.add(ns.label() + " is marked failed (" + ns.lastError() + ")");
                continue;
            }
            if (CatalogRows.NO_TEMPLATE.equals(ns.template())) {
                List<ImportedTable> own = importedTables(ns, namespaces, existing);
                imported.put(ns.name(), own);
                for (ImportedTable t : own) {
                    tables.add(imported(t, ns));
                }
                continue;
            }
            Template template = templates.find(ns.kind(), ns.template()).orElse(null);
            if (template == null) {
                problems.add(ns.label() + " uses the " + ns.kind().catalogValue() + " template '" + ns.template()
                        + "', which is not on this class path");
                continue;
            }
            if (ns.templateVersion() < template.version()) {
                problems.add(ns.label() + " is at version " + ns.templateVersion() + " of template '"
                        + template.name() + "', this release has " + template.version());
                continue;
            }
            if (ns.templateVersion() > template.version()) {
                problems.add(ns.label() + " is at version " + ns.templateVersion() + " of template '"
                        + template.name() + "', newer than this release's " + template.version()
                        + " (use the release that migrated it)");
                continue;
            }
            for (Map.Entry<String, String> t : template.tableMapping(ns.tablePrefix()).entrySet()) {
                Table<?> generated = DefaultSchema.DEFAULT_SCHEMA.getTable(t.getKey());
                if (generated == null) {
                    problems.add(ns.label() + ": template table " + t.getKey() + " has no generated class in "
                            + "this build");
                    continue;
                }
                tables.add(generated(generated, t.getValue(), ns));
            }
        }
        if (requireReady && !problems.isEmpty()) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, setting + " " + url + " is not ready to be copied: "
                    + String.join("; ", problems.subList(0, Math.min(10, problems.size())))
                    + (problems.size() > 10 ? "; and " + (problems.size() - 10) + " more" : "")
                    + ". Bring it up to date first: foundups-db --url SOURCE migrate");
        }
        tables.add(catalogTable());
        Map<String, Long> rows = new LinkedHashMap<>();
        for (CopyTable t : tables) {
            rows.put(t.name(), existing.contains(t.name()) ? (long) dsl.fetchCount(t.table()) : 0L);
        }
        return new Plan(namespaces, imported, tables, rows);
    }

    /** @return every agent with rows in the source ({@code agents_awakening}, {@code agents_memory}), by id */
    List<String> agents() {
        Set<String> agents = new TreeSet<>(dsl.select(AGENTS_AWAKENING.AGENT_ID).from(AGENTS_AWAKENING)
                .union(DSL.select(AGENTS_MEMORY.AGENT_ID).from(AGENTS_MEMORY)
                        .where(AGENTS_MEMORY.AGENT_ID.isNotNull()))
                .fetch(Record1::value1));
        return List.copyOf(agents);
    }

    /** The catalog, compared by everything but its id, which only orders rows within one database. */
    static CopyTable catalogTable() {
        List<Field<?>> fields = new ArrayList<>(CopyTable.fieldsOf(FOUNDUPSDB_NAMESPACES, true));
        return new CopyTable(FOUNDUPSDB_NAMESPACES.getName(), fields,
                List.of(fields.get(0), fields.get(1)), null, true, null);
    }

    private static CopyTable generated(Table<?> generated, String physical, NamespaceInfo namespace) {
        List<Field<?>> fields = CopyTable.fieldsOf(generated, false);
        List<Field<?>> key = generated.getPrimaryKey() == null ? List.of()
                : generated.getPrimaryKey().getFields().stream()
                        .<Field<?>>map(f -> DSL.field(DSL.name(f.getName()), f.getDataType())).toList();
        String identity = generated.getIdentity() == null ? null : generated.getIdentity().getField().getName();
        return new CopyTable(physical, fields, key, identity, false, namespace);
    }

    private static CopyTable imported(ImportedTable t, NamespaceInfo namespace) {
        List<Field<?>> fields = new ArrayList<>();
        List<Field<?>> key = new ArrayList<>();
        for (int i = 0; i < t.columns().size(); i++) {
            Field<?> field = DSL.field(DSL.name(t.columns().get(i)), t.types().get(i));
            fields.add(field);
            if (t.primaryKey().contains(t.columns().get(i))) {
                key.add(field);
            }
        }
        return new CopyTable(t.name(), fields, key, null, false, namespace);
    }

    /** The shared tables must have every column this release's classes read: else the source needs migrating. */
    private void checkColumns(Table<?> shared, Set<String> existing, List<String> problems) {
        if (!existing.contains(shared.getName())) {
            problems.add("its shared table " + shared.getName() + " is missing");
            return;
        }
        Set<String> columns = columns(shared.getName()).keySet();
        for (Field<?> f : shared.fields()) {
            if (!columns.contains(f.getName())) {
                problems.add("its shared table " + shared.getName() + " has no column " + f.getName());
            }
        }
    }

    /**
     * An imported module's tables: those under its prefix that belong to no namespace with a longer prefix (module
     * {@code clash} must not take {@code modules_clash_b_log} of module {@code clash_b}).
     */
    private List<ImportedTable> importedTables(NamespaceInfo ns, List<NamespaceInfo> all, Set<String> existing) {
        List<ImportedTable> result = new ArrayList<>();
        for (String table : existing) {
            if (!table.startsWith(ns.tablePrefix())) {
                continue;
            }
            boolean other = all.stream().anyMatch(o -> o.state() != NamespaceState.DROPPED
                    && o.tablePrefix().length() > ns.tablePrefix().length() && table.startsWith(o.tablePrefix()));
            if (other) {
                continue;
            }
            if (!TABLE_NAME.matcher(table).matches()) {
                throw new FoundupsDbException(ErrorCode.TRANSFER, "table '" + table + "' of " + ns.label()
                        + " has a name FoundUps DB does not create; rename it before copying");
            }
            Map<String, String> columns = columns(table);
            List<String> names = new ArrayList<>();
            List<DataType<?>> types = new ArrayList<>();
            for (Map.Entry<String, String> c : columns.entrySet()) {
                if (!COLUMN_NAME.matcher(c.getKey()).matches()) {
                    throw new FoundupsDbException(ErrorCode.TRANSFER, "table '" + table + "', column '" + c.getKey()
                            + "': column names must be letters, digits and underscores");
                }
                names.add(c.getKey());
                types.add(TableSpec.typeOf(c.getValue()));
            }
            result.add(new ImportedTable(table, names, types, primaryKey(table)));
        }
        return result;
    }

    /** Every table of the source (of its current schema on PostgreSQL), sorted. */
    Set<String> tables() {
        return dsl.connectionResult(c -> {
            Set<String> names = new TreeSet<>();
            try (ResultSet rs = c.getMetaData().getTables(null, schema(c), "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    String name = rs.getString("TABLE_NAME");
                    if (!name.toLowerCase(Locale.ROOT).startsWith("sqlite_")) {
                        names.add(name);
                    }
                }
            }
            return names;
        });
    }

    /** A table's columns in order, with their declared types. */
    private Map<String, String> columns(String table) {
        return dsl.connectionResult(c -> {
            Map<Integer, String[]> ordered = new TreeMap<>();
            DatabaseMetaData meta = c.getMetaData();
            try (ResultSet rs = meta.getColumns(null, schema(c), escape(meta, table), "%")) {
                while (rs.next()) {
                    if (table.equals(rs.getString("TABLE_NAME"))) {
                        ordered.put(rs.getInt("ORDINAL_POSITION"),
                                new String[] {rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME")});
                    }
                }
            }
            Map<String, String> columns = new LinkedHashMap<>();
            for (String[] c2 : ordered.values()) {
                columns.put(c2[0], c2[1]);
            }
            return columns;
        });
    }

    private List<String> primaryKey(String table) {
        return dsl.connectionResult(c -> {
            Map<Integer, String> key = new TreeMap<>();
            try (ResultSet rs = c.getMetaData().getPrimaryKeys(null, schema(c), table)) {
                while (rs.next()) {
                    key.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME"));
                }
            }
            return new ArrayList<>(key.values());
        });
    }

    private String schema(Connection c) throws SQLException {
        return url.strategy().metadataSchema(c);
    }

    private static String escape(DatabaseMetaData meta, String name) throws SQLException {
        String escape = meta.getSearchStringEscape();
        return escape == null || escape.isEmpty() ? name : name.replace("_", escape + "_").replace("%", escape + "%");
    }


    @Override
    public void close() {
        close(connection);
    }

    private static void close(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // read-only: nothing to undo
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing anyway
        }
    }
}
