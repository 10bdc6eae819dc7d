package dev.foundups.db;

import java.time.Duration;

import org.jooq.Configuration;

/**
 * Told of what an open database does, for metrics: namespaces created, migrations run, and on SQLite the waits
 * for the one writer and the WAL checkpoints. Register one with {@link FoundupsDbBuilder#listener}; the Spring
 * Boot starter registers one that feeds Micrometer.
 *
 * <p>Calls come from the threads doing the work, often while they hold the SQLite write lock, and may overlap:
 * keep them short and thread-safe. An exception thrown by a method is logged and otherwise ignored (a metric must
 * not fail a write). Every method has an empty default.
 */
public interface DatabaseListener {

    /** Ignores everything. */
    DatabaseListener NONE = new DatabaseListener() { };

    /**
     * A module or FoundUp namespace was created: its catalog row and tables. Called inside the namespace's
     * transaction, just before it commits (a commit that then fails reaches the caller as an exception).
     *
     * @param kind module or FoundUp
     * @param name its name
     * @param took how long creating it took, from the start of its transaction
     */
    default void namespaceCreated(NamespaceKind kind, String name, Duration took) {
    }

    /**
     * A migration of the namespaces to their templates' current versions ended: on open, or by
     * {@link NamespaceCatalog#migrate}. A run that found nothing to do is reported too.
     *
     * @param report what it did; {@link MigrationReport#failed()} names the namespaces that failed
     */
    default void migrationFinished(MigrationReport report) {
    }

    /**
     * SQLite: a write statement or transaction got the database's write lock (in this JVM, then across processes).
     * Reported for every write, waits of zero included, so the count is the number of writes.
     *
     * @param waited how long it waited for the lock
     */
    default void writeWaited(Duration waited) {
    }

    /**
     * SQLite: a TRUNCATE checkpoint copied the WAL into the database file (when the WAL passed its size limit, and
     * on close).
     *
     * @param took     how long it took
     * @param complete false when readers or other writers kept it from completing; it is retried later
     */
    default void checkpointed(Duration took, boolean complete) {
    }

    /**
     * The listener of the database that a jOOQ configuration belongs to (any context of a {@link FoundupsDb}:
     * its own, a namespace's, a transaction's).
     *
     * @param configuration the configuration
     * @return its database's listener, or {@link #NONE} for a configuration that is not a FoundUps DB one
     */
    static DatabaseListener of(Configuration configuration) {
        Object listener = configuration.data(DatabaseListener.class);
        return listener instanceof DatabaseListener l ? l : NONE;
    }
}
