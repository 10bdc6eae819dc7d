package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.ChildJvm;
import dev.foundups.db.testing.CrashMigrator;
import dev.foundups.db.testing.TemplateOverlay;

/**
 * A process killed with SIGKILL in the middle of a template migration leaves nothing that blocks or confuses the
 * next run: no lock held by the dead process, no namespace half-migrated, no change applied twice.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class MigrationCrashTest {

    private static final int FOUNDUPS = 30;

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    @Test
    void aMigrationKilledHalfWayIsCompletedByTheNextRun() throws Exception {
        String url = backend.newDatabaseUrl(dir);
        Path overlay = dir.resolve("next");
        ClassLoader next = new TemplateOverlay(overlay)
                .changelog("db/foundups/templates/foundup/002-note-and-seed.xml", MigrationTest.NEXT_CHANGESET)
                .classLoader();
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.catalog().createFoundUps(MigrationTest.fu(FOUNDUPS));
        }

        Random random = new Random(42);
        int killedAfterTotal = 0;
        for (int crash = 0; crash < 2; crash++) {
            try (ChildJvm child = ChildJvm.start(CrashMigrator.class, List.of(url, overlay.toString()))) {
                child.awaitLine("opened"::equals, Duration.ofSeconds(60));
                int target = 2 + random.nextInt(5);
                child.awaitLine(line -> child.lines().stream().filter(l -> l.startsWith("migrated ")).count()
                        >= target, Duration.ofSeconds(60));
                child.kill();
                killedAfterTotal += (int) child.lines().stream().filter(l -> l.startsWith("migrated ")).count();
                assertTrue(child.lines().stream().noneMatch("done"::equals), "killed before it finished");
            }
        }
        assertTrue(killedAfterTotal < FOUNDUPS, "the kills came half-way: " + killedAfterTotal);

        long start = System.nanoTime();
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).classLoader(next).migrateOnOpen(false).open()) {
            MigrationReport report = db.catalog().migrate();
            assertTrue(report.succeeded(), report.failed().toString());
            assertTrue(report.migrated() > 0 && report.migrated() <= FOUNDUPS - killedAfterTotal,
                    "only what the dead processes left: " + report.migrated() + " after " + killedAfterTotal);
            for (String id : MigrationTest.fu(FOUNDUPS)) {
                NamespaceInfo info = db.catalog().find(NamespaceKind.FOUNDUP, id).orElseThrow();
                assertEquals(NamespaceState.READY, info.state(), id);
                assertEquals(2, info.templateVersion(), id);
                // Applied exactly once: one seed row, and the column is there.
                assertEquals(1, db.foundUp(id).users().size(), id);
                assertEquals("none", db.dsl().fetchValue("SELECT note FROM foundups_" + id + "_users WHERE id = 'seed'"));
            }
        }
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 60,
                "no lock of a dead process was waited out");
    }
}
