package dev.foundups.db.internal.namespaces;

import dev.foundups.db.MigrationListener;
import dev.foundups.db.MigrationReport;
import dev.foundups.db.NamespaceInfo;

/**
 * A migration listener whose calls never overlap, whichever thread makes them: PostgreSQL migrates several
 * namespaces at once, and a sharded database several shards.
 */
public final class SerialListener implements MigrationListener {

    private final MigrationListener delegate;
    private final boolean runs;

    /** @param delegate the listener to tell */
    public SerialListener(MigrationListener delegate) {
        this(delegate, true);
    }

    /**
     * @param delegate the listener to tell
     * @param runs     whether to pass on the start and end of each run, or only what happens to each namespace
     */
    public SerialListener(MigrationListener delegate, boolean runs) {
        this.delegate = delegate;
        this.runs = runs;
    }

    @Override
    public synchronized void started(int pending) {
        if (runs) {
            delegate.started(pending);
        }
    }

    @Override
    public synchronized void migrated(NamespaceInfo namespace, int fromVersion, int toVersion) {
        delegate.migrated(namespace, fromVersion, toVersion);
    }

    @Override
    public synchronized void failed(NamespaceInfo namespace, String error) {
        delegate.failed(namespace, error);
    }

    @Override
    public synchronized void finished(MigrationReport report) {
        if (runs) {
            delegate.finished(report);
        }
    }
}
