package dev.foundups.db.copy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jooq.DSLContext;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.copy.SourceDatabase.ImportedTable;
import dev.foundups.db.copy.SourceDatabase.Plan;
import dev.foundups.db.internal.imports.TableSpec;
import dev.foundups.db.internal.namespaces.CatalogRows;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.namespaces.TemplateRegistry;

/** A target that is one database (SQLite, or PostgreSQL without shards): every table there, whole. */
final class SingleTarget implements CopyDestination {

    private final FoundupsDb target;
    private final DatabaseCopy.CopySettings settings;

    SingleTarget(FoundupsDb target, DatabaseCopy.CopySettings settings) {
        this.target = target;
        this.settings = settings;
    }

    /**
     * Creates every namespace on the target through the library's own provisioning (the same catalog rows and
     * template DDL as {@code db.foundUp(id)} would make), then gives the catalog entries the source's times. On a
     * resumed copy, namespaces that exist already are left as they are.
     */
    @Override
    public List<CopyUnit> provision(SourceDatabase source, Plan plan) {
        Namespaces namespaces = new Namespaces(target.dsl(), settings.target().strategy(),
                new TemplateRegistry(target.dialect(), settings.classLoader()), 4);
        CatalogRows rows = namespaces.rows();
        Map<String, NamespaceInfo> existing = namespaces.list().stream()
                .collect(Collectors.toMap(NamespaceInfo::label, n -> n));
        // Templated namespaces in bulk, per template: several at once on PostgreSQL.
        Map<String, List<NamespaceInfo>> byTemplate = new LinkedHashMap<>();
        for (NamespaceInfo ns : plan.namespaces()) {
            if (!existing.containsKey(ns.label()) && !CatalogRows.NO_TEMPLATE.equals(ns.template())
                    && ns.state() != NamespaceState.DROPPED) {
                byTemplate.computeIfAbsent(ns.kind().catalogValue() + ":" + ns.template(), k -> new ArrayList<>())
                        .add(ns);
            }
        }
        for (List<NamespaceInfo> group : byTemplate.values()) {
            NamespaceInfo first = group.get(0);
            namespaces.createAll(first.kind(), group.stream().map(NamespaceInfo::name).toList(), first.template());
        }
        for (NamespaceInfo ns : plan.namespaces()) {
            if (existing.containsKey(ns.label()) || !CatalogRows.NO_TEMPLATE.equals(ns.template())
                    || ns.state() == NamespaceState.DROPPED) {
                continue;
            }
            createImported(target.dsl(), rows, ns, plan.imported().getOrDefault(ns.name(), List.of()));
        }
        target.dsl().transaction(tx -> {
            for (NamespaceInfo ns : plan.namespaces()) {
                if (ns.state() == NamespaceState.DROPPED && !existing.containsKey(ns.label())) {
                    // A dropped namespace has no tables, only its catalog row: history, copied as it is (its
                    // template need not even be on the class path any more).
                    rows.insert(tx.dsl(), ns);
                }
                rows.keepHistory(tx.dsl(), ns);
            }
        });
        return existing(source, plan);
    }

    /** An imported module: its catalog row and its tables, as the legacy import made them, in one transaction. */
    static void createImported(DSLContext dsl, CatalogRows rows, NamespaceInfo ns, List<ImportedTable> tables) {
        dsl.transaction(tx -> {
            rows.registerImportedModule(tx.dsl(), ns.name());
            for (ImportedTable t : tables) {
                TableSpec.createTable(tx.dsl(), t.name(), t.columns(), t.types(), t.primaryKey());
            }
        });
    }

    @Override
    public List<CopyUnit> existing(SourceDatabase source, Plan plan) {
        return plan.tables().stream().map(t -> CopyUnit.whole(t, null, target.dsl())).toList();
    }

    /** Nothing: the run's last statement, on this database and synchronous, makes every table's commit durable. */
    @Override
    public void finish() {
    }

    @Override
    public List<CopyReport.ShardResult> shards(List<CopyReport.TableResult> tables) {
        return List.of();
    }
}
