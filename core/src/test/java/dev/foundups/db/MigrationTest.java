package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.testing.Backend;
import dev.foundups.db.testing.TemplateOverlay;

/**
 * Template evolution: a changeset added to the FoundUp template reaches every existing FoundUp, each in its own
 * transaction, failures isolated and retried, never applied twice.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class MigrationTest {

    /** The next release of the FoundUp template: a column with a default, and a row that must be unique. */
    static final String NEXT_CHANGESET = """
            <changeSet id="002-note-and-seed" author="test">
              <sql>ALTER TABLE ${table.prefix}users ADD COLUMN note TEXT DEFAULT 'none'</sql>
              <sql>INSERT INTO ${table.prefix}users (id, username) VALUES ('seed', 'Seed')</sql>
            </changeSet>
            """;

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    String url;
    ClassLoader nextRelease;

    @BeforeEach
    void setUp() {
        url = backend.newDatabaseUrl(dir);
        nextRelease = new TemplateOverlay(dir.resolve("next"))
                .changelog("db/foundups/templates/foundup/002-note-and-seed.xml", NEXT_CHANGESET)
                .classLoader();
    }

    private FoundupsDb openCurrent() {
        return FoundupsDb.configure().databaseUrl(url).open();
    }

    private FoundupsDb openNext() {
        return FoundupsDb.configure().databaseUrl(url).classLoader(nextRelease).migrateOnOpen(false).open();
    }

    static List<String> fu(int n) {
        return IntStream.range(0, n).mapToObj(i -> "fu_" + i).toList();
    }

    @Test
    void nothingPendingIsReportedAsSuch() {
        try (FoundupsDb db = openCurrent()) {
            db.catalog().createFoundUps(fu(5));
            MigrationReport report = db.catalog().migrate();
            assertEquals(5, report.checked());
            assertEquals(0, report.pending());
            assertEquals(0, report.migrated());
            assertTrue(report.succeeded());
        }
    }

    @Test
    void aNewChangesetReachesEveryNamespaceAndFailuresAreIsolatedThenRetried() {
        try (FoundupsDb db = openCurrent()) {
            db.catalog().createFoundUps(fu(6));
            // These two already have the row the new changeset inserts, so it will fail there.
            db.foundUp("fu_1").addUser("seed", "taken");
            db.foundUp("fu_4").addUser("seed", "taken");
        }
        try (FoundupsDb db = openNext()) {
            assertEquals(6, db.catalog().pending().size());
            List<String> events = Collections.synchronizedList(new ArrayList<>());
            MigrationReport report = db.catalog().migrate(new MigrationListener() {
                @Override
                public void started(int pending) {
                    events.add("started " + pending);
                }

                @Override
                public void migrated(NamespaceInfo namespace, int from, int to) {
                    events.add("migrated " + namespace.name() + " " + from + "->" + to);
                }

                @Override
                public void failed(NamespaceInfo namespace, String error) {
                    events.add("failed " + namespace.name());
                }

                @Override
                public void finished(MigrationReport r) {
                    events.add("finished");
                }
            });
            assertEquals(6, report.pending());
            assertEquals(4, report.migrated());
            assertEquals(List.of("foundup:fu_1", "foundup:fu_4"), report.failedNamespaces());
            assertEquals("started 6", events.get(0));
            assertEquals("finished", events.get(events.size() - 1));
            assertTrue(events.contains("migrated fu_0 1->2"), events.toString());
            assertTrue(events.contains("failed fu_4"), events.toString());

            NamespaceInfo failed = db.catalog().find(NamespaceKind.FOUNDUP, "fu_1").orElseThrow();
            assertEquals(NamespaceState.FAILED, failed.state());
            assertEquals(1, failed.templateVersion());
            assertTrue(failed.lastError() != null && !failed.lastError().isEmpty());
            // The failed namespace kept its old shape: the ALTER before the failing INSERT was rolled back.
            assertEquals(List.of("id", "username", "active", "created_at"), columns(db, "foundups_fu_1_users"));
            assertEquals(List.of("id", "username", "active", "created_at", "note"), columns(db, "foundups_fu_0_users"));
            FoundupsDbException blocked = assertThrows(FoundupsDbException.class, () -> db.foundUp("fu_1"));
            assertTrue(blocked.getMessage().contains("is marked failed"), blocked.getMessage());

            // Fix the cause, run again: only the two failed ones are retried.
            db.dsl().execute("DELETE FROM foundups_fu_1_users WHERE id = 'seed'");
            db.dsl().execute("DELETE FROM foundups_fu_4_users WHERE id = 'seed'");
            MigrationReport retry = db.catalog().migrate();
            assertEquals(2, retry.pending());
            assertEquals(2, retry.migrated());
            assertTrue(retry.succeeded());
            assertEquals(0, db.catalog().migrate().pending());
            assertTrue(db.namespaces().stream().allMatch(n -> n.state() == NamespaceState.READY
                    && n.templateVersion() == 2));
            assertEquals("Seed", db.foundUp("fu_1").user("seed").orElseThrow().getUsername());
        }
    }

    @Test
    void newNamespacesGetTheNewChangesetAtCreation() {
        try (FoundupsDb db = openNext()) {
            NamespaceInfo created = db.catalog().create(NamespaceKind.FOUNDUP, "fresh");
            assertEquals(2, created.templateVersion());
            assertEquals("Seed", db.foundUp("fresh").user("seed").orElseThrow().getUsername());
        }
    }

    @Test
    void twoProcessesMigratingAtOnceApplyEachChangeOnce() throws Exception {
        try (FoundupsDb db = openCurrent()) {
            db.catalog().createFoundUps(fu(12));
        }
        try (FoundupsDb first = openNext(); FoundupsDb second = openNext()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<MigrationReport>> runs = new ArrayList<>();
                for (FoundupsDb db : List.of(first, second)) {
                    runs.add(pool.submit(() -> {
                        go.await();
                        return db.catalog().migrate();
                    }));
                }
                go.countDown();
                int migrated = 0;
                for (Future<MigrationReport> run : runs) {
                    MigrationReport report = run.get();
                    assertTrue(report.succeeded(), report.failed().toString());
                    migrated += report.migrated();
                }
                assertEquals(12, migrated, "each namespace migrated by exactly one of the two");
            } finally {
                pool.shutdown();
            }
            for (String id : fu(12)) {
                // Applied twice, the INSERT of 'seed' would have failed the second run, or left two rows.
                assertEquals(1, first.foundUp(id).users().size());
                assertEquals(2, first.catalog().find(NamespaceKind.FOUNDUP, id).orElseThrow().templateVersion());
            }
        }
    }

    @Test
    void anOlderReleaseRefusesADatabaseThatIsAhead() {
        try (FoundupsDb db = openNext()) {
            db.foundUp("ahead");
        }
        FoundupsDbException e = assertThrows(FoundupsDbException.class, this::openCurrent);
        assertEquals(ErrorCode.MIGRATION, e.errorCode());
        assertTrue(e.getMessage().startsWith("the database has changeset 2 (db/foundups/templates/foundup/"
                + "002-note-and-seed.xml::002-note-and-seed::test) of the foundup template 'foundup', which this "
                + "release does not have"), e.getMessage());
    }

    private static List<String> columns(FoundupsDb db, String table) {
        return db.dsl().connectionResult(c -> {
            List<String> names = new ArrayList<>();
            try (var rs = c.getMetaData().getColumns(null, null, table, "%")) {
                while (rs.next()) {
                    names.add(rs.getString("COLUMN_NAME"));
                }
            }
            return names;
        });
    }
}
