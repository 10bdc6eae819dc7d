package dev.foundups.db;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a failing {@link DatabaseListener} out of the work it is told about: its exceptions are logged (the first
 * at WARN with its stack trace, the rest at DEBUG) and otherwise dropped, so a broken metric never fails a write.
 */
final class GuardedListener implements DatabaseListener {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedListener.class);

    private final DatabaseListener delegate;
    private final AtomicBoolean warned = new AtomicBoolean();

    private GuardedListener(DatabaseListener delegate) {
        this.delegate = delegate;
    }

    static DatabaseListener of(DatabaseListener listener) {
        return listener == NONE || listener instanceof GuardedListener ? listener : new GuardedListener(listener);
    }

    @Override
    public void namespaceCreated(NamespaceKind kind, String name, Duration took) {
        guarded(() -> delegate.namespaceCreated(kind, name, took));
    }

    @Override
    public void migrationFinished(MigrationReport report) {
        guarded(() -> delegate.migrationFinished(report));
    }

    @Override
    public void writeWaited(Duration waited) {
        guarded(() -> delegate.writeWaited(waited));
    }

    @Override
    public void checkpointed(Duration took, boolean complete) {
        guarded(() -> delegate.checkpointed(took, complete));
    }

    private void guarded(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(RuntimeException e) {
        if (warned.compareAndSet(false, true)) {
            LOG.warn("DatabaseListener {} failed; its failures are ignored (later ones logged at DEBUG)", delegate, e);
        } else {
            LOG.debug("DatabaseListener {} failed again", delegate, e);
        }
    }
}
