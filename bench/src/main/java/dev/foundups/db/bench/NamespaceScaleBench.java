package dev.foundups.db.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.IntStream;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.MigrationReport;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.Dialect;
import dev.foundups.db.internal.namespaces.Template;
import dev.foundups.db.internal.namespaces.TemplateRegistry;

/**
 * Namespaces at scale (issue 3): each FoundUps DB figure next to raw JDBC doing the same work on the same engine,
 * in the same run.
 *
 * <pre>
 * java -cp ... dev.foundups.db.bench.NamespaceScaleBench sqlite|postgresql URL_OR_DIR [COUNT [--no-add-column]]
 * </pre>
 *
 * For PostgreSQL, URL is an admin URL of a server on this machine; the benchmark creates two databases on it.
 * Prints one {@code key=value} line per figure.
 */
public final class NamespaceScaleBench {

    /** The next release of the FoundUp template: one column with a default. */
    static final String ADD_COLUMN = "ALTER TABLE %susers ADD COLUMN note TEXT DEFAULT 'none'";

    private NamespaceScaleBench() {
    }

    /**
     * @param args dialect, SQLite folder or PostgreSQL admin URL, count, and {@code --no-add-column} to leave out
     *             the last figure (on SQLite at thousands of namespaces it runs for hours per system, since every
     *             {@code ALTER TABLE} re-parses the whole schema; see {@code AddColumnScaleBench})
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        Dialect dialect = Dialect.valueOf(args[0].toUpperCase(Locale.ROOT));
        String where = args[1];
        int count = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        boolean addColumn = !(args.length > 3 && args[3].equals("--no-add-column"));
        Databases dbs = dialect == Dialect.SQLITE ? new SqliteFiles(Path.of(where)) : new PostgresServer(where);
        String tag = "dialect=" + dialect.name().toLowerCase(Locale.ROOT) + " n=" + count;

        String rawUrl = dbs.fresh("raw");
        String fdbUrl = dbs.fresh("fdb");
        Template template = new TemplateRegistry(dialect, NamespaceScaleBench.class.getClassLoader())
                .require(NamespaceKind.FOUNDUP, "foundup");

        // 1. Create COUNT FoundUps with one user each, one commit per FoundUp. The two systems alternate in chunks
        //    on their own files, so both meet the same file sizes and the same machine load.
        double raw;
        double fdb;
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(fdbUrl).open();
             Connection rawConnection = RawJdbc.connect(rawUrl)) {
            rawConnection.setAutoCommit(false);
            long rawNanos = 0;
            long fdbNanos = 0;
            int chunk = Math.max(1, Math.min(500, count / 10));
            for (int from = 0; from < count; from += chunk) {
                int to = Math.min(count, from + chunk);
                long t0 = System.nanoTime();
                rawCreate(rawConnection, template, from, to);
                long t1 = System.nanoTime();
                for (int i = from; i < to; i++) {
                    db.foundUp("fu_" + i).addUser("user1", "StreamViewer");
                }
                long t2 = System.nanoTime();
                rawNanos += t1 - t0;
                fdbNanos += t2 - t1;
                System.err.printf(Locale.ROOT, "  create %d..%d: raw %.0f/s, fdb %.0f/s%n", from, to,
                        (to - from) / ((t1 - t0) / 1e9), (to - from) / ((t2 - t1) / 1e9));
            }
            raw = count / (rawNanos / 1e9);
            fdb = count / (fdbNanos / 1e9);
        }
        System.out.printf(Locale.ROOT, "%s metric=create_foundup_and_user fdb_per_s=%.1f raw_per_s=%.1f ratio=%.2f%n",
                tag, fdb, raw, fdb / raw);
        if (dialect == Dialect.POSTGRESQL) {
            String bulkUrl = dbs.fresh("bulk");
            try (FoundupsDb db = FoundupsDb.configure().databaseUrl(bulkUrl).open()) {
                List<String> ids = IntStream.range(0, count).mapToObj(i -> "fu_" + i).toList();
                long t0 = System.nanoTime();
                db.catalog().createFoundUps(ids);
                for (String id : ids) {
                    db.foundUp(id).addUser("user1", "StreamViewer");
                }
                double bulk = count / seconds(t0);
                System.out.printf(Locale.ROOT, "%s metric=create_foundups_bulk_parallel fdb_per_s=%.1f "
                        + "raw_per_s=%.1f ratio=%.2f%n", tag, bulk, raw, bulk / raw);
            }
        }

        // 2. migrate with nothing pending.
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(fdbUrl).open()) {
            long t0 = System.nanoTime();
            MigrationReport report = db.catalog().migrate();
            System.out.printf(Locale.ROOT, "%s metric=migrate_nothing_pending seconds=%.3f checked=%d pending=%d%n",
                    tag, seconds(t0), report.checked(), report.pending());
        }

        // 3. Point read on one FoundUp's table, with COUNT namespaces present and with 10.
        String smallUrl = dbs.fresh("small");
        try (FoundupsDb small = FoundupsDb.configure().databaseUrl(smallUrl).open()) {
            for (int i = 0; i < 10; i++) {
                small.foundUp("fu_" + i).addUser("user1", "StreamViewer");
            }
        }
        try (FoundupsDb big = FoundupsDb.configure().databaseUrl(fdbUrl).open();
             FoundupsDb small = FoundupsDb.configure().databaseUrl(smallUrl).open()) {
            FoundUp bigOne = big.foundUp("fu_" + (count / 2));
            FoundUp smallOne = small.foundUp("fu_5");
            int reads = 20_000;
            double bigRate = 0;
            double smallRate = 0;
            int rounds = 9; // alternate; the first round warms up and is dropped
            for (int round = 0; round < rounds; round++) {
                double b = reads(bigOne, reads);
                double s = reads(smallOne, reads);
                if (round > 0) {
                    bigRate += b / (rounds - 1);
                    smallRate += s / (rounds - 1);
                }
            }
            System.out.printf(Locale.ROOT, "%s metric=point_read at_n_per_s=%.0f at_10_per_s=%.0f ratio_10_over_n=%.2f%n",
                    tag, bigRate, smallRate, smallRate / bigRate);
        }

        // 4. A fresh process: open and run its first query, at 10 and at COUNT namespaces; raw JDBC next to it.
        for (String[] db : List.of(new String[] {"10", smallUrl}, new String[] {String.valueOf(count), fdbUrl})) {
            double open = childSeconds("fdb", db[1]);
            double rawOpen = childSeconds("raw", db[1]);
            System.out.printf(Locale.ROOT, "%s metric=fresh_process_open_first_query namespaces=%s fdb_seconds=%.2f "
                    + "raw_jdbc_seconds=%.2f%n", tag, db[0], open, rawOpen);
        }

        // 5. One new changeset (a column with a default) over COUNT namespaces, against raw ALTER TABLE.
        if (!addColumn) {
            return;
        }
        double rawAlter = rawAlter(rawUrl, count);
        Path overlay = Files.createTempDirectory("foundups-next");
        ClassLoader next = NextRelease.withChangeset(overlay, "002-note.xml",
                "<sql>" + ADD_COLUMN.formatted("${table.prefix}") + "</sql>");
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(fdbUrl).classLoader(next).migrateOnOpen(false)
                .open()) {
            long t0 = System.nanoTime();
            MigrationReport report = db.catalog().migrate();
            double seconds = seconds(t0);
            System.out.printf(Locale.ROOT, "%s metric=migrate_add_column fdb_seconds=%.2f raw_alter_seconds=%.2f "
                    + "ratio=%.2f migrated=%d failed=%d%n", tag, seconds, rawAlter, seconds / rawAlter,
                    report.migrated(), report.failed().size());
        }
    }

    private static double reads(FoundUp foundUp, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (foundUp.user("user1").isEmpty()) {
                throw new IllegalStateException("lost user1");
            }
        }
        return n / seconds(t0);
    }

    /** Raw JDBC, one connection: the template's own DDL plus one row, one commit per FoundUp. */
    private static void rawCreate(Connection c, Template template, int from, int to) throws SQLException {
        for (int i = from; i < to; i++) {
            String prefix = "foundups_fu_" + i + "_";
            try (Statement st = c.createStatement()) {
                for (String sql : template.statementsFor(prefix)) {
                    st.execute(sql);
                }
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO " + prefix + "users (id, username) VALUES (?, ?)")) {
                insert.setString(1, "user1");
                insert.setString(2, "StreamViewer");
                insert.executeUpdate();
            }
            c.commit();
        }
    }

    /** Raw JDBC ALTER TABLE over the same tables, one commit each (as each namespace has its own transaction). */
    private static double rawAlter(String url, int count) throws SQLException {
        try (Connection c = RawJdbc.connect(url); Statement st = c.createStatement()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                st.execute(ADD_COLUMN.formatted("foundups_fu_" + i + "_"));
            }
            return seconds(t0);
        }
    }

    private static double childSeconds(String system, String url) throws IOException, InterruptedException {
        return childSeconds(system, url, 3);
    }

    /** The best of some runs of a child JVM that opens the database and runs one query, in seconds. */
    static double childSeconds(String system, String url, int runs) throws IOException, InterruptedException {
        return childSeconds(system, url, runs, List.of());
    }

    /** As {@link #childSeconds(String, String, int)}, the child started with these JVM options. */
    static double childSeconds(String system, String url, int runs, List<String> jvmOptions)
            throws IOException, InterruptedException {
        double best = Double.MAX_VALUE;
        for (int run = 0; run < runs; run++) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), OpenAndFirstQuery.class.getName(),
                    system, url));
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("child exited with " + p.exitValue());
            }
            best = Math.min(best, seconds(t0));
        }
        return best;
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Where the benchmark's databases are made. */
    interface Databases {
        String fresh(String name) throws Exception;
    }

    /** SQLite: a new file per database in a folder. */
    record SqliteFiles(Path folder) implements Databases {
        @Override
        public String fresh(String name) throws IOException {
            Files.createDirectories(folder);
            for (String suffix : List.of("", "-wal", "-shm", ".migrate-lock")) {
                Files.deleteIfExists(folder.resolve(name + ".db" + suffix));
            }
            return "jdbc:sqlite:" + folder.resolve(name + ".db").toAbsolutePath();
        }
    }

    /** PostgreSQL: a new database per name on a server. */
    record PostgresServer(String adminUrl) implements Databases {
        @Override
        public String fresh(String name) throws SQLException {
            String db = "fdb_bench_" + name;
            try (Connection c = RawJdbc.connect(adminUrl); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
                st.execute("CREATE DATABASE " + db);
            }
            return urlOf(db);
        }

        /** @return the URL of the database {@link #fresh} made under this name, or null when there is none */
        String existing(String name) throws SQLException {
            String db = "fdb_bench_" + name;
            try (Connection c = RawJdbc.connect(adminUrl);
                 PreparedStatement st = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                st.setString(1, db);
                try (java.sql.ResultSet rs = st.executeQuery()) {
                    return rs.next() ? urlOf(db) : null;
                }
            }
        }

        private String urlOf(String db) {
            DatabaseUrl url = DatabaseUrl.parse(adminUrl, "admin URL");
            String base = url.jdbcUrl().replaceFirst("^(jdbc:postgresql://[^/]*/)[^?]*", "$1" + db);
            Properties props = new Properties();
            url.user().ifPresent(u -> props.setProperty("user", u));
            url.password().ifPresent(p -> props.setProperty("password", p));
            StringBuilder jdbc = new StringBuilder(base);
            char sep = base.contains("?") ? '&' : '?';
            for (String key : props.stringPropertyNames()) {
                jdbc.append(sep).append(key).append('=').append(props.getProperty(key));
                sep = '&';
            }
            return jdbc.toString();
        }
    }
}
