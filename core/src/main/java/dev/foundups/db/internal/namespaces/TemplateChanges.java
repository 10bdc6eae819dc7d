package dev.foundups.db.internal.namespaces;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_FINGERPRINTS;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_TEMPLATE_CHANGES;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceKind;

/**
 * The changesets each template was applied with, {@code foundupsdb_template_changes}: checked against the
 * templates on the class path before a namespace is made or changed from one. Takes no lock: recording is an
 * insert that ignores rows another process recorded at the same moment.
 */
final class TemplateChanges {

    private static final Logger LOG = LoggerFactory.getLogger(TemplateChanges.class);

    private final DSLContext shared;
    /** Templates (kind:name:version) whose changesets this process has checked against the database. */
    private final Set<String> recorded = ConcurrentHashMap.newKeySet();

    TemplateChanges(DSLContext shared) {
        this.shared = shared;
    }

    /**
     * Checks a template's changesets against the ones the database recorded for it, and records new ones. An
     * applied changeset whose file was edited since would leave namespaces that differ, and a database that has
     * changesets this release lacks was migrated by a newer release: both stop here with the reason. Done once per
     * template and process, so creating and migrating namespaces costs no per-namespace bookkeeping.
     *
     * @throws FoundupsDbException (MIGRATION) when the recorded changesets differ from the template's
     */
    void ensureRecorded(Template template) {
        NamespaceKind kind = template.kind();
        String key = kind.catalogValue() + ":" + template.name() + ":" + template.version();
        if (recorded.contains(key)) {
            return;
        }
        if (template.fromStoredSummary()) {
            recorded.add(key); // checked when its summary was stored, and its files are the same
            return;
        }
        var known = shared.selectFrom(FOUNDUPSDB_TEMPLATE_CHANGES)
                .where(FOUNDUPSDB_TEMPLATE_CHANGES.KIND.eq(kind.catalogValue()))
                .and(FOUNDUPSDB_TEMPLATE_CHANGES.TEMPLATE.eq(template.name()))
                .orderBy(FOUNDUPSDB_TEMPLATE_CHANGES.SEQ)
                .fetch();
        for (var row : known) {
            int seq = row.getSeq();
            if (seq > template.version()) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, "the database has changeset " + seq + " ("
                        + row.getChangeset() + ") of the " + kind.catalogValue() + " template '" + template.name()
                        + "', which this release does not have: it was migrated by a newer release, or a changeset "
                        + "file was removed (changeset files must never be removed)");
            }
            Template.Change change = template.changes().get(seq - 1);
            if (!change.checksum().equals(row.getChecksum()) || !change.id().equals(row.getChangeset())) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, "changeset " + row.getChangeset() + " of the "
                        + kind.catalogValue() + " template '" + template.name() + "' was applied to namespaces, and "
                        + "the template's changeset " + seq + " is now " + change.id() + " with a different content "
                        + "(checksum " + row.getChecksum() + " -> " + change.checksum() + "). Applied changesets must "
                        + "not change: undo the edit and add a new changeset file instead");
            }
        }
        if (known.size() < template.version()) {
            var insert = shared.insertInto(FOUNDUPSDB_TEMPLATE_CHANGES, FOUNDUPSDB_TEMPLATE_CHANGES.KIND,
                    FOUNDUPSDB_TEMPLATE_CHANGES.TEMPLATE, FOUNDUPSDB_TEMPLATE_CHANGES.SEQ,
                    FOUNDUPSDB_TEMPLATE_CHANGES.CHANGESET, FOUNDUPSDB_TEMPLATE_CHANGES.CHECKSUM,
                    FOUNDUPSDB_TEMPLATE_CHANGES.RECORDED_AT);
            Instant now = CatalogRows.now();
            for (Template.Change change : template.changes().subList(known.size(), template.version())) {
                insert = insert.values(kind.catalogValue(), template.name(), change.seq(), change.id(),
                        change.checksum(), now);
            }
            insert.onConflictDoNothing().execute(); // another process may record them at the same moment
        }
        storeSummary(template);
        recorded.add(key);
    }

    /** Stores what the next process needs to use this template without rendering it; failing only costs time. */
    private void storeSummary(Template template) {
        if (template.fingerprint() == null) {
            return;
        }
        String fingerprint = Template.storedFingerprint(template.fingerprint(), template.recordedLines());
        try {
            shared.insertInto(FOUNDUPSDB_FINGERPRINTS, FOUNDUPSDB_FINGERPRINTS.NAME,
                            FOUNDUPSDB_FINGERPRINTS.FINGERPRINT, FOUNDUPSDB_FINGERPRINTS.SUMMARY)
                    .values(TemplateRegistry.fingerprintName(template.kind(), template.name()),
                            fingerprint, template.summary())
                    .onConflict(FOUNDUPSDB_FINGERPRINTS.NAME)
                    .doUpdate()
                    .set(FOUNDUPSDB_FINGERPRINTS.FINGERPRINT, fingerprint)
                    .set(FOUNDUPSDB_FINGERPRINTS.SUMMARY, template.summary())
                    .execute();
        } catch (DataAccessException | FoundupsDbException e) {
            // Bookkeeping only (on SQLite this may be the process's first write, which opens the writer's
            // connection): a failure here must not fail the work that asked for the template.
            LOG.debug("Cannot store the summary of template {}; the next process renders it", template.name(), e);
        }
    }
}
