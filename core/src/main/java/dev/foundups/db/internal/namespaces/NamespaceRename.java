package dev.foundups.db.internal.namespaces;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.internal.migration.MigrationLock;
import dev.foundups.db.internal.naming.NamespaceName;
import dev.foundups.db.jooq.tables.records.FoundupsdbNamespacesRecord;

/**
 * Renames a namespace: its objects move to the new prefix ({@link PrefixRename}) and its catalog row takes the new
 * name, in one transaction, under the migration lock, both names' stripes and both catalog rows' locks
 * ({@link NamespaceLocks}).
 */
final class NamespaceRename {

    private static final Logger LOG = LoggerFactory.getLogger(NamespaceRename.class);

    private final NamespaceParts parts;
    private final NamespaceContexts contexts;

    NamespaceRename(NamespaceParts parts, NamespaceContexts contexts) {
        this.parts = parts;
        this.contexts = contexts;
    }

    /** @see Namespaces#rename */
    NamespaceInfo rename(NamespaceKind kind, String from, String to, Supplier<MigrationLock> lock) {
        Optional<NamespaceInfo> before = parts.rows().find(kind, from).filter(n -> n.state() != NamespaceState.DROPPED);
        String template = before.map(NamespaceInfo::template).orElse(null);
        if (template == null || CatalogRows.NO_TEMPLATE.equals(template)) {
            throw new FoundupsDbException(ErrorCode.INVALID_INPUT, "there is no " + kind.describeName() + " '" + from
                    + "' to rename" + (template == null ? "" : ": its tables were imported, not made from a template"));
        }
        Template t = parts.templates().require(kind, template);
        NamespaceName.validate(kind, to, t.maxNameLength());
        if (from.equals(to)) {
            throw new FoundupsDbException(ErrorCode.INVALID_INPUT, kind.describeName() + " '" + from + "' cannot be "
                    + "renamed to itself");
        }
        parts.changes().ensureRecorded(t);
        String newPrefix = NamespaceName.tablePrefix(kind, to);
        // The engine's own catalog of objects (pg_constraint and pg_depend, or sqlite_master) is the dialect's.
        PrefixRename objects = new PrefixRename(parts.strategy().tableObjects(), List.copyOf(t.tables()),
                before.get().tablePrefix(), newPrefix);
        try (MigrationLock held = lock.get()) {
            // No context of either name is made or cached meanwhile.
            return parts.locks().underBoth(kind, from, to, () -> {
                try {
                    return parts.shared().transactionResult(tx -> renameIn(tx.dsl(), kind, from, to, t, objects));
                } catch (DataAccessException e) {
                    throw renameFailure(kind, from, to, objects, e);
                } finally {
                    contexts.evict(kind, from);
                    contexts.evict(kind, to);
                }
            });
        }
    }

    private NamespaceInfo renameIn(DSLContext dsl, NamespaceKind kind, String from, String to, Template template,
                                   PrefixRename objects) {
        // Read again in the transaction: another process may have dropped, migrated or created them meanwhile.
        FoundupsdbNamespacesRecord source = parts.rows().lockedRow(dsl, kind, from);
        if (source == null || NamespaceState.DROPPED.catalogValue().equals(source.getState())) {
            throw new FoundupsDbException(ErrorCode.INVALID_INPUT, "there is no " + kind.describeName() + " '" + from
                    + "' to rename");
        }
        NamespaceInfo info = CatalogRows.info(source);
        if (info.state() != NamespaceState.READY || info.templateVersion() != template.version()) {
            throw new FoundupsDbException(ErrorCode.MIGRATION, kind.describeName() + " '" + from + "' cannot be "
                    + "renamed while it is " + (info.state() == NamespaceState.READY ? "" : info.state().catalogValue()
                    + " and ") + "at version " + info.templateVersion() + " of its template (current: "
                    + template.version() + "): run the migration first ('foundups-db migrate' or "
                    + "NamespaceCatalog.migrate()), then rename");
        }
        FoundupsdbNamespacesRecord target = parts.rows().lockedRow(dsl, kind, to);
        if (target != null) {
            if (!NamespaceState.DROPPED.catalogValue().equals(target.getState())) {
                throw new FoundupsDbException(ErrorCode.NAME_CONFLICT, kind.describeName() + " '" + from + "' cannot "
                        + "be renamed to '" + to + "': " + kind.describeName() + " '" + to + "' exists already. "
                        + "Choose another name, or drop '" + to + "' first");
            }
            CatalogRows.delete(dsl, target.getId());
        }
        dsl.connection(objects::run);
        Instant now = CatalogRows.now();
        String newPrefix = NamespaceName.tablePrefix(kind, to);
        CatalogRows.rename(dsl, source.getId(), to, newPrefix, now);
        LOG.debug("Renamed {} '{}' to '{}'", kind.catalogValue(), from, to);
        return new NamespaceInfo(kind, to, info.template(), newPrefix, info.state(), info.templateVersion(),
                info.createdAt(), now, info.lastError());
    }

    /** After a rename was rolled back: names the new name that was taken, and its owner, when that was the cause. */
    private FoundupsDbException renameFailure(NamespaceKind kind, String from, String to, PrefixRename objects,
                                              DataAccessException e) {
        String start = kind.describeName() + " '" + from + "' cannot be renamed to '" + to + "'";
        for (PrefixRename.Step step : objects.steps()) {
            if (!step.what().equals("constraint") && relationExists(step.to())) {
                return new FoundupsDbException(ErrorCode.NAME_CONFLICT, start + ": the name " + step.to() + " (for its "
                        + step.what() + " " + step.from() + ") is taken" + parts.rows().owner(step.to(), step.what())
                        + ". Nothing was changed; choose another name", e);
            }
        }
        return new FoundupsDbException(ErrorCode.MIGRATION, start + "; nothing was changed: " + e.getMessage(), e);
    }

    /** Whether a table, index, sequence, view or trigger of this name exists. */
    private boolean relationExists(String name) {
        try {
            return parts.strategy().relationExists(parts.shared(), name);
        } catch (DataAccessException e) {
            return false;
        }
    }
}
