package dev.foundups.db.testing;

import java.nio.file.Path;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.MigrationListener;
import dev.foundups.db.NamespaceInfo;

/**
 * Child process of the migration crash test: migrates with the template's next release, printing each namespace
 * once its transaction has committed, slowly enough to be killed half-way.
 */
public final class CrashMigrator {

    private CrashMigrator() {
    }

    /**
     * @param args database URL, folder of the next release's changelogs (see {@link TemplateOverlay})
     */
    public static void main(String[] args) {
        ClassLoader next = new TemplateOverlay(Path.of(args[1])).classLoader();
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(args[0]).classLoader(next).migrateOnOpen(false)
                .migrationParallelism(1).open()) {
            System.out.println("opened");
            db.catalog().migrate(new MigrationListener() {
                @Override
                public void migrated(NamespaceInfo namespace, int from, int to) {
                    System.out.println("migrated " + namespace.name());
                    try {
                        Thread.sleep(15);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            System.out.println("done");
        }
    }
}
