package dev.foundups.db.spring;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import dev.foundups.db.DatabaseListener;
import dev.foundups.db.MigrationReport;
import dev.foundups.db.NamespaceKind;

/**
 * Records what the database tells its {@link DatabaseListener} as Micrometer meters. Every meter is made once,
 * here: a SQLite write reports its wait on every call, and looking a timer up in the registry each time would cost
 * more than recording it.
 */
final class MicrometerListener implements DatabaseListener {

    static final String NAMESPACE_CREATIONS = "foundups.db.namespace.creations";
    static final String MIGRATIONS = "foundups.db.migrations";
    static final String MIGRATION_NAMESPACES = "foundups.db.migration.namespaces";
    static final String WRITE_WAIT = "foundups.db.sqlite.write.wait";
    static final String CHECKPOINTS = "foundups.db.sqlite.checkpoints";

    private final Map<NamespaceKind, Timer> creations = new EnumMap<>(NamespaceKind.class);
    private final Timer migrationsSucceeded;
    private final Timer migrationsFailed;
    private final Counter namespacesMigrated;
    private final Counter namespacesFailed;
    private final Timer writeWait;
    private final Timer checkpointsComplete;
    private final Timer checkpointsIncomplete;

    MicrometerListener(MeterRegistry registry) {
        for (NamespaceKind kind : NamespaceKind.values()) {
            creations.put(kind, Timer.builder(NAMESPACE_CREATIONS)
                    .description("Module and FoundUp namespaces created (catalog row and tables, one transaction)")
                    .tag("kind", kind.catalogValue())
                    .register(registry));
        }
        migrationsSucceeded = migrationTimer(registry, "success");
        migrationsFailed = migrationTimer(registry, "failure");
        namespacesMigrated = migrationCounter(registry, "migrated");
        namespacesFailed = migrationCounter(registry, "failed");
        writeWait = Timer.builder(WRITE_WAIT)
                .description("SQLite: how long each write waited for the one writer (this JVM, then other processes)")
                .register(registry);
        checkpointsComplete = checkpointTimer(registry, "complete");
        checkpointsIncomplete = checkpointTimer(registry, "incomplete");
    }

    private static Timer migrationTimer(MeterRegistry registry, String outcome) {
        return Timer.builder(MIGRATIONS)
                .description("Migration runs of the namespaces to their templates (on start-up or by hand); "
                        + "failure: at least one namespace failed")
                .tag("outcome", outcome)
                .register(registry);
    }

    private static Counter migrationCounter(MeterRegistry registry, String outcome) {
        return Counter.builder(MIGRATION_NAMESPACES)
                .description("Namespaces brought up to date by migrations, or marked failed")
                .tag("outcome", outcome)
                .register(registry);
    }

    private static Timer checkpointTimer(MeterRegistry registry, String outcome) {
        return Timer.builder(CHECKPOINTS)
                .description("SQLite: TRUNCATE checkpoints of the WAL; incomplete: readers kept it from finishing")
                .tag("outcome", outcome)
                .register(registry);
    }

    @Override
    public void namespaceCreated(NamespaceKind kind, String name, Duration took) {
        creations.get(kind).record(took);
    }

    @Override
    public void migrationFinished(MigrationReport report) {
        (report.succeeded() ? migrationsSucceeded : migrationsFailed).record(report.elapsed());
        namespacesMigrated.increment(report.migrated());
        namespacesFailed.increment(report.failed().size());
    }

    @Override
    public void writeWaited(Duration waited) {
        writeWait.record(waited);
    }

    @Override
    public void checkpointed(Duration took, boolean complete) {
        (complete ? checkpointsComplete : checkpointsIncomplete).record(took);
    }

    @Override
    public String toString() {
        return "Micrometer metrics foundups.db.*";
    }
}
