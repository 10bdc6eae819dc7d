package dev.foundups.db.internal.namespaces;

import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.foundups.db.DatabaseListener;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.internal.naming.NamespaceName;
import dev.foundups.db.jooq.tables.records.FoundupsdbNamespacesRecord;

/**
 * Creates namespaces from their templates and drops them. Each one is one transaction: its catalog row and its DDL
 * commit together or not at all (SQLite and PostgreSQL both have transactional DDL), under the name's stripe
 * ({@link NamespaceLocks}).
 */
final class Provisioning {

    private static final Logger LOG = LoggerFactory.getLogger(Provisioning.class);

    private final NamespaceParts parts;
    private final NamespaceContexts contexts;
    /** Whether this process has created a namespace: then looking one up before creating it is not worth a read. */
    private volatile boolean provisionedHere;

    Provisioning(NamespaceParts parts, NamespaceContexts contexts) {
        this.parts = parts;
        this.contexts = contexts;
    }

    /** @see Namespaces#create */
    NamespaceInfo create(NamespaceKind kind, String name, String template) {
        Template t = parts.templates().require(kind, template);
        NamespaceName.validate(kind, name, t.maxNameLength());
        parts.changes().ensureRecorded(t);
        synchronized (parts.locks().stripe(kind, name)) {
            return provision(kind, name, t, true);
        }
    }

    /** @see Namespaces#createAll */
    List<NamespaceInfo> createAll(NamespaceKind kind, Collection<String> names, String template) {
        Template t = parts.templates().require(kind, template);
        List<String> list = List.copyOf(names);
        for (String name : list) {
            NamespaceName.validate(kind, name, t.maxNameLength());
        }
        parts.changes().ensureRecorded(t);
        List<NamespaceInfo> created = parts.bulk().inParallel(list, name -> {
            synchronized (parts.locks().stripe(kind, name)) {
                return provision(kind, name, t, false, true);
            }
        });
        parts.bulk().makeDurable();
        return created;
    }

    /** @see Namespaces#drop */
    NamespaceInfo drop(NamespaceKind kind, String name) {
        synchronized (parts.locks().stripe(kind, name)) {
            NamespaceInfo info = parts.rows().find(kind, name).filter(n -> n.state() != NamespaceState.DROPPED)
                    .orElseThrow(() -> new FoundupsDbException(ErrorCode.INVALID_INPUT, "there is no "
                            + kind.describeName() + " '" + name + "' to drop"));
            Template t = parts.templates().require(kind, info.template());
            contexts.evict(kind, name);
            parts.shared().transaction(tx -> {
                List<String> tables = new ArrayList<>(t.tables());
                // Newest first, so that tables referencing older ones go before them.
                for (int i = tables.size() - 1; i >= 0; i--) {
                    tx.dsl().dropTableIfExists(DSL.name(info.tablePrefix() + tables.get(i))).execute();
                }
                CatalogRows.markDropped(tx.dsl(), kind, name);
            });
            return info;
        }
    }

    /** @return whether this process has created a namespace */
    boolean provisionedHere() {
        return provisionedHere;
    }

    /**
     * Creates a namespace, or with {@code mustBeNew} false finds it when it exists, committing synchronously. The
     * caller holds the name's stripe and has recorded the template's parts.changes().
     */
    NamespaceInfo provision(NamespaceKind kind, String name, Template template, boolean mustBeNew) {
        return provision(kind, name, template, mustBeNew, false);
    }

    /**
     * As {@link #provision(NamespaceKind, String, Template, boolean)}; with {@code asynchronous} the commit does not
     * wait for the disk (PostgreSQL), and the caller makes the batch durable once at its end. Only bulk work gains
     * from it: for one namespace, the extra statement that turns it on and the durable commit after it cost more
     * round trips than one synchronous commit.
     */
    private NamespaceInfo provision(NamespaceKind kind, String name, Template template, boolean mustBeNew,
                                    boolean asynchronous) {
        String prefix = NamespaceName.tablePrefix(kind, name);
        try {
            NamespaceInfo info = parts.shared().transactionResult(tx -> create(tx, kind, name, template, prefix, mustBeNew,
                    asynchronous));
            provisionedHere = true;
            return info;
        } catch (DataAccessException e) {
            Optional<NamespaceInfo> now = parts.rows().find(kind, name);
            if (!mustBeNew && now.isPresent() && now.get().state() == NamespaceState.READY) {
                return now.get(); // another process created it at the same moment: use theirs
            }
            String taken = takenTable(template, prefix);
            if (taken != null) {
                throw new FoundupsDbException(ErrorCode.NAME_CONFLICT, kind.describeName() + " '" + name + "' cannot "
                        + "be created: its table " + taken + " already exists" + parts.rows().owner(taken, "table")
                        + ". Choose another name", e);
            }
            throw new FoundupsDbException(ErrorCode.MIGRATION, "cannot create " + kind.describeName() + " '" + name
                    + "' from template '" + template.name() + "'; nothing was created: " + e.getMessage(), e);
        }
    }

    private NamespaceInfo create(Configuration tx, NamespaceKind kind, String name, Template template, String prefix,
                                 boolean mustBeNew, boolean asynchronous) {
        long started = System.nanoTime();
        DSLContext dsl = tx.dsl();
        if (asynchronous) {
            parts.bulk().commitWithoutWaitingForDisk(dsl);
        }
        Instant now = CatalogRows.now();
        NamespaceInfo created = new NamespaceInfo(kind, name, template.name(), prefix, NamespaceState.READY,
                template.version(), now, now, null);
        // Insert first and look only on a conflict: the common case, a new name, costs one statement.
        if (!parts.rows().insertIfAbsent(dsl, created)) {
            FoundupsdbNamespacesRecord row = CatalogRows.row(dsl, kind, name);
            if (!NamespaceState.DROPPED.catalogValue().equals(row.getState())) {
                if (mustBeNew) {
                    throw new FoundupsDbException(ErrorCode.NAME_CONFLICT, kind.describeName() + " '" + name
                            + "' exists already");
                }
                return CatalogRows.info(row);
            }
            CatalogRows.recreate(dsl, row.getId(), created);
        }
        apply(dsl, template, 0, prefix);
        LOG.debug("Created {} '{}' from template '{}' at version {}", kind.catalogValue(), name, template.name(),
                template.version());
        DatabaseListener.of(tx).namespaceCreated(kind, name, Duration.ofNanos(System.nanoTime() - started));
        return created;
    }

    /** Runs a template's changes from position {@code from}, inside the caller's transaction. */
    static void apply(DSLContext dsl, Template template, int from, String prefix) {
        List<Template.Change> changes = template.changes().subList(from, template.version());
        dsl.connection(connection -> {
            try (Statement statement = connection.createStatement()) {
                for (Template.Change change : changes) {
                    for (String sql : Template.forPrefix(change, prefix)) {
                        statement.execute(sql);
                    }
                }
            }
        });
    }

    /** After a failed creation: the first of the template's tables that exists under this prefix, if any. */
    private String takenTable(Template template, String prefix) {
        try {
            return parts.shared().connectionResult(connection -> {
                DatabaseMetaData meta = connection.getMetaData();
                String escape = meta.getSearchStringEscape();
                for (String table : template.tables()) {
                    String physical = prefix + table;
                    String pattern = escape == null ? physical : physical.replace("_", escape + "_");
                    try (ResultSet rs = meta.getTables(null, null, pattern, new String[] {"TABLE"})) {
                        while (rs.next()) {
                            if (physical.equalsIgnoreCase(rs.getString("TABLE_NAME"))) {
                                return physical;
                            }
                        }
                    }
                }
                return null;
            });
        } catch (DataAccessException e) {
            return null;
        }
    }
}
