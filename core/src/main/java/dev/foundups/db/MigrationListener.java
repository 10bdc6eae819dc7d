package dev.foundups.db;

/**
 * Follows a migration's progress, for example to draw a progress bar. Calls never overlap (they are serialised
 * even when PostgreSQL namespaces migrate in parallel), but may come from any thread. Every method has an empty
 * default.
 */
public interface MigrationListener {

    /** Ignores everything. */
    MigrationListener NONE = new MigrationListener() { };

    /**
     * Called once, before any namespace is changed.
     *
     * @param pending how many namespaces will be migrated
     */
    default void started(int pending) {
    }

    /**
     * A namespace is now up to date.
     *
     * @param namespace   the namespace, as it was before
     * @param fromVersion the template version it had
     * @param toVersion   the template version it has now
     */
    default void migrated(NamespaceInfo namespace, int fromVersion, int toVersion) {
    }

    /**
     * A namespace could not be migrated; it is marked failed and the others go on.
     *
     * @param namespace the namespace, as it was before
     * @param error     what went wrong
     */
    default void failed(NamespaceInfo namespace, String error) {
    }

    /**
     * Called once at the end.
     *
     * @param report what was done
     */
    default void finished(MigrationReport report) {
    }
}
