package dev.foundups.db.internal.namespaces;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.foundups.db.DatabaseListener;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.MigrationListener;
import dev.foundups.db.MigrationReport;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.jooq.tables.records.FoundupsdbNamespacesRecord;

/**
 * Brings existing namespaces up to their templates' versions: each namespace in its own transaction, under its
 * name's stripe and its locked catalog row, while the caller holds the migration lock ({@link NamespaceLocks}).
 */
final class TemplateMigration {

    private static final Logger LOG = LoggerFactory.getLogger(TemplateMigration.class);

    private final NamespaceParts parts;
    private final NamespaceContexts contexts;

    TemplateMigration(NamespaceParts parts, NamespaceContexts contexts) {
        this.parts = parts;
        this.contexts = contexts;
    }

    /** The namespaces of one template that a migration must change. */
    private record Plan(Template template, List<NamespaceInfo> pending) {
    }

    /** @see Namespaces#pending */
    List<NamespaceInfo> pending() {
        List<NamespaceInfo> result = new ArrayList<>();
        for (Plan plan : plans()) {
            result.addAll(plan.pending);
        }
        return result;
    }

    /**
     * Finds the work, one query per template: namespaces whose version is behind, and failed ones. Up-to-date
     * namespaces are never loaded, which keeps a migration with nothing to do cheap at any count.
     */
    private List<Plan> plans() {
        List<Plan> plans = new ArrayList<>();
        for (CatalogRows.TemplateInUse used : parts.rows().templatesInUse()) {
            NamespaceKind kind = used.kind();
            if (CatalogRows.NO_TEMPLATE.equals(used.template())) {
                continue; // imported tables: nothing to migrate
            }
            Optional<Template> found = parts.templates().find(kind, used.template());
            if (found.isEmpty()) {
                LOG.warn("Namespaces of {} template '{}' are left as they are: the template is not on the class path",
                        kind.catalogValue(), used.template());
                continue;
            }
            Template template = found.get();
            parts.changes().ensureRecorded(template);
            Integer newest = parts.rows().newestVersion(template);
            if (newest != null && newest > template.version()) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, "namespaces of the " + kind.catalogValue()
                        + " template '" + template.name() + "' have " + newest + " changesets applied, but the "
                        + "template now has only " + template.version() + ": changeset files must never be removed "
                        + "(or this process runs an older version of the schema than the database)");
            }
            plans.add(new Plan(template, parts.rows().behind(template)));
        }
        return plans;
    }

    /** @see Namespaces#migrate */
    MigrationReport migrate(MigrationListener listener) {
        long start = System.nanoTime();
        int checked = parts.rows().countLive();
        List<Plan> plans = plans();
        record Job(Template template, NamespaceInfo namespace) {
        }
        List<Job> jobs = new ArrayList<>();
        for (Plan plan : plans) {
            for (NamespaceInfo namespace : plan.pending) {
                jobs.add(new Job(plan.template, namespace));
            }
        }
        SerialListener serial = new SerialListener(listener);
        serial.started(jobs.size());
        Map<String, String> failed = new ConcurrentHashMap<>();
        List<Boolean> outcomes = parts.bulk().inParallel(jobs, job -> {
            String error = upgrade(job.template, job.namespace);
            if (error == null) {
                serial.migrated(job.namespace, job.namespace.templateVersion(), job.template.version());
                return true;
            }
            failed.put(job.namespace.label(), error);
            serial.failed(job.namespace, error);
            return false;
        });
        if (!jobs.isEmpty()) {
            parts.bulk().makeDurable(); // nothing was committed asynchronously when nothing was pending
        }
        int migrated = (int) outcomes.stream().filter(Boolean::booleanValue).count();
        MigrationReport report = new MigrationReport(checked, jobs.size(), migrated, new LinkedHashMap<>(failed),
                Duration.ofNanos(System.nanoTime() - start));
        serial.finished(report);
        DatabaseListener.of(parts.shared().configuration()).migrationFinished(report);
        if (!failed.isEmpty()) {
            LOG.warn("{} namespace(s) could not be migrated and are marked failed: {}", failed.size(),
                    report.failedNamespaces());
        }
        return report;
    }

    /** Brings one namespace to its template's version; returns null, or the error after marking it failed. */
    private String upgrade(Template template, NamespaceInfo namespace) {
        synchronized (parts.locks().stripe(namespace.kind(), namespace.name())) {
            try {
                parts.shared().transaction(tx -> {
                    DSLContext dsl = tx.dsl();
                    parts.bulk().commitWithoutWaitingForDisk(dsl);
                    // Re-read under a lock: another process may have migrated it since the plan was made.
                    FoundupsdbNamespacesRecord current = parts.rows().lockedRow(dsl, namespace.kind(),
                            namespace.name());
                    if (current == null) {
                        return;
                    }
                    int version = current.getTemplateVersion();
                    Instant now = CatalogRows.now();
                    if (version >= template.version()) {
                        return; // another process got there first
                    }
                    Provisioning.apply(dsl, template, version, namespace.tablePrefix());
                    CatalogRows.markMigrated(dsl, current.getId(), template.version(), now);
                });
                return null;
            } catch (DataAccessException | FoundupsDbException e) {
                String error = String.valueOf(e.getMessage());
                parts.rows().markFailed(namespace.kind(), namespace.name(), error);
                contexts.evict(namespace.kind(), namespace.name());
                return error;
            }
        }
    }
}
