package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.testing.Backend;

/** The hooks metrics are built on: {@link DatabaseListener}, {@code metricRegistry} and {@code dataSource()}. */
@ParameterizedClass
@EnumSource(Backend.class)
class DatabaseListenerTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    @Test
    void theListenerHearsOfNamespacesMigrationsWritesAndCheckpoints() {
        String url = backend.newDatabaseUrl(dir);
        Recorder events = new Recorder();
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).listener(events).open()) {
            assertEquals(1, events.migrations.size(), "the migration on open is reported");
            assertEquals(0, events.migrations.get(0).pending());

            FoundUp bot = db.foundUp("listened");
            bot.addUser("u1", "One");
            bot.addUser("u2", "Two");
            db.foundUp("listened").addUser("u3", "Three");
            assertEquals(List.of("foundup:listened"), events.created, "created once, then found");
            assertTrue(events.creationTimes.get(0).compareTo(Duration.ZERO) > 0);

            db.catalog().migrate();
            assertEquals(2, events.migrations.size(), "a migration run by hand is reported too");
            if (backend == Backend.SQLITE) {
                // The namespace's transaction and three inserts, each through the write lock.
                assertTrue(events.writeWaits.size() >= 4, events.writeWaits.toString());
                assertTrue(events.writeWaits.stream().noneMatch(Duration::isNegative));
            } else {
                assertTrue(events.writeWaits.isEmpty(), "PostgreSQL has no write lock of ours");
            }
        }
        if (backend == Backend.SQLITE) {
            assertEquals(List.of(true), events.checkpoints, "close checkpoints once, completely");
        } else {
            assertTrue(events.checkpoints.isEmpty());
        }
    }

    @Test
    void aFailingListenerNeverFailsTheWork() {
        DatabaseListener broken = new DatabaseListener() {
            @Override
            public void namespaceCreated(NamespaceKind kind, String name, Duration took) {
                throw new IllegalStateException("broken metric");
            }

            @Override
            public void writeWaited(Duration waited) {
                throw new IllegalStateException("broken metric");
            }
        };
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(backend.newDatabaseUrl(dir)).listener(broken).open()) {
            db.foundUp("sturdy").addUser("u1", "One");
            assertTrue(db.foundUp("sturdy").user("u1").isPresent());
        }
    }

    @Test
    void thePoolIsOpenToPlainJdbcAndClosedWithTheDatabase() throws Exception {
        FoundupsDb db = FoundupsDb.configure().databaseUrl(backend.newDatabaseUrl(dir)).open();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM agents_memory")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        } finally {
            db.close();
        }
        assertThrows(Exception.class, () -> db.dataSource().getConnection().close());
    }

    @Test
    void aMetricRegistryOfAnUnknownKindIsRefusedAndNothingStaysOpen() {
        String url = backend.newDatabaseUrl(dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FoundupsDb.configure().databaseUrl(url).metricRegistry(new Object()).open());
        assertTrue(e.getMessage().contains("MeterRegistry"), e.getMessage());
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            assertFalse(db.namespaces().iterator().hasNext(), "the database opens normally afterwards");
        }
    }

    private static final class Recorder implements DatabaseListener {
        final List<String> created = new CopyOnWriteArrayList<>();
        final List<Duration> creationTimes = new CopyOnWriteArrayList<>();
        final List<MigrationReport> migrations = new CopyOnWriteArrayList<>();
        final List<Duration> writeWaits = new CopyOnWriteArrayList<>();
        final List<Boolean> checkpoints = new CopyOnWriteArrayList<>();

        @Override
        public void namespaceCreated(NamespaceKind kind, String name, Duration took) {
            created.add(kind.catalogValue() + ":" + name);
            creationTimes.add(took);
        }

        @Override
        public void migrationFinished(MigrationReport report) {
            migrations.add(report);
        }

        @Override
        public void writeWaited(Duration waited) {
            writeWaits.add(waited);
        }

        @Override
        public void checkpointed(Duration took, boolean complete) {
            checkpoints.add(complete);
        }
    }
}
