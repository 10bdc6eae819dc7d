package dev.foundups.db.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.MigrationListener;
import dev.foundups.db.MigrationReport;
import dev.foundups.db.NamespaceInfo;

/**
 * One new changeset (a column with a default) over COUNT FoundUps on one SQLite file, against raw
 * {@code ALTER TABLE} over the same tables: issue 3's add-column figure at a size where each system runs for tens
 * of minutes.
 *
 * <pre>
 * java -cp ... dev.foundups.db.bench.AddColumnScaleBench FOLDER [COUNT]
 * </pre>
 *
 * <p>Every SQLite {@code ALTER TABLE ... ADD COLUMN} rewrites a row of {@code sqlite_master} and re-parses the whole
 * schema, so the cost of one grows with the number of namespaces and the whole migration grows with their square.
 * Running the two systems one after the other would give each a different share of a shared machine for half an
 * hour; instead the database is built once, copied, and both systems run at the same time on their own copy, one
 * thread each, so they meet the same load. {@code NamespaceScaleBench} measures the same figure one after the other
 * at smaller sizes.
 */
public final class AddColumnScaleBench {

    private AddColumnScaleBench() {
    }

    /**
     * @param args folder, count
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]).toAbsolutePath();
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        Files.createDirectories(folder);
        Path base = folder.resolve("add-column-base-" + count + ".db");
        if (!Files.exists(base)) {
            build(base, count);
        }
        Path raw = copy(base, folder.resolve("add-column-raw.db"));
        Path fdb = copy(base, folder.resolve("add-column-fdb.db"));
        ClassLoader next = NextRelease.withChangeset(Files.createTempDirectory("foundups-next"), "002-note.xml",
                "<sql>" + NamespaceScaleBench.ADD_COLUMN.formatted("${table.prefix}") + "</sql>");

        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url(fdb)).classLoader(next).migrateOnOpen(false)
                .open(); Connection rawConnection = RawJdbc.connect(url(raw))) {
            CompletableFuture<Double> rawRun = CompletableFuture.supplyAsync(() -> rawAlter(rawConnection, count));
            CompletableFuture<double[]> fdbRun = CompletableFuture.supplyAsync(() -> {
                long t0 = System.nanoTime();
                MigrationReport report = db.catalog().migrate(progress("fdb", count));
                return new double[] {NamespaceScaleBench.seconds(t0), report.migrated(), report.failed().size()};
            });
            double rawSeconds = rawRun.join();
            double[] fdbResult = fdbRun.join();
            System.out.printf(Locale.ROOT, "dialect=sqlite n=%d metric=migrate_add_column_concurrent fdb_seconds=%.1f "
                    + "raw_alter_seconds=%.1f ratio=%.2f migrated=%d failed=%d file_mb=%d%n", count, fdbResult[0],
                    rawSeconds, fdbResult[0] / rawSeconds, (int) fdbResult[1], (int) fdbResult[2],
                    Files.size(base) >> 20);
        }
    }

    /** COUNT FoundUps with one user each, through the library. */
    private static void build(Path base, int count) throws Exception {
        Path building = base.resolveSibling(base.getFileName() + ".building");
        for (String suffix : List.of("", "-wal", "-shm", ".migrate-lock", ".write-lock")) {
            Files.deleteIfExists(Path.of(building + suffix));
        }
        long t0 = System.nanoTime();
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url(building)).open()) {
            for (int i = 0; i < count; i++) {
                db.foundUp("fu_" + i).addUser("user1", "StreamViewer");
                if ((i + 1) % 1000 == 0) {
                    System.err.printf(Locale.ROOT, "  built %d FoundUps in %.0f s%n", i + 1,
                            NamespaceScaleBench.seconds(t0));
                }
            }
        }
        // Closed: the WAL is checkpointed into the file, which is complete on its own.
        Files.move(building, base, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Path copy(Path base, Path target) throws Exception {
        for (String suffix : List.of("-wal", "-shm", ".migrate-lock", ".write-lock")) {
            Files.deleteIfExists(Path.of(target + suffix));
        }
        return Files.copy(base, target, StandardCopyOption.REPLACE_EXISTING);
    }

    private static double rawAlter(Connection c, int count) {
        try (Statement st = c.createStatement()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                st.execute(NamespaceScaleBench.ADD_COLUMN.formatted("foundups_fu_" + i + "_"));
                if ((i + 1) % 1000 == 0) {
                    System.err.printf(Locale.ROOT, "  raw: %d altered in %.0f s%n", i + 1,
                            NamespaceScaleBench.seconds(t0));
                }
            }
            return NamespaceScaleBench.seconds(t0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static MigrationListener progress(String system, int count) {
        AtomicInteger done = new AtomicInteger();
        long t0 = System.nanoTime();
        return new MigrationListener() {
            @Override
            public void migrated(NamespaceInfo namespace, int fromVersion, int toVersion) {
                int n = done.incrementAndGet();
                if (n % 1000 == 0) {
                    System.err.printf(Locale.ROOT, "  %s: %d of %d migrated in %.0f s%n", system, n, count,
                            NamespaceScaleBench.seconds(t0));
                }
            }
        };
    }

    private static String url(Path file) {
        return "jdbc:sqlite:" + file;
    }
}
