package dev.foundups.db.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.Dialect;

/**
 * A fresh process opening a database of COUNT FoundUps and running its first query: FoundUps DB next to raw JDBC,
 * alternating, ROUNDS runs each (default 5), best and median; once with the JVM's defaults and once with an
 * application class-data (AppCDS) archive for each. The database is made once and kept ({@code open-COUNT.db} in the folder, or
 * database {@code fdb_open_COUNT} on the server), so the figure can be measured again after a change without
 * waiting for thousands of namespaces to be created.
 *
 * <pre>
 * java -cp ... dev.foundups.db.bench.OpenScaleBench sqlite FOLDER COUNT [ROUNDS] | postgresql ADMIN_URL COUNT [ROUNDS]
 * </pre>
 */
public final class OpenScaleBench {

    private OpenScaleBench() {
    }

    /**
     * @param args dialect, SQLite folder or PostgreSQL admin URL, count
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        Dialect dialect = Dialect.valueOf(args[0].toUpperCase(Locale.ROOT));
        int count = Integer.parseInt(args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        String url = database(dialect, args[1], count);
        measure(dialect, count, url, rounds, "default", system -> List.of());
        // The same with an application class-data archive per system, made by one run of each first: what a
        // deployment that cares about start-up uses (the command-line tool ships one).
        Path archives = Files.createTempDirectory("open-cds");
        for (String system : List.of("fdb", "raw")) {
            NamespaceScaleBench.childSeconds(system, url, 1,
                    List.of("-XX:ArchiveClassesAtExit=" + archives.resolve(system + ".jsa"), "-Xshare:auto"));
        }
        measure(dialect, count, url, rounds, "appcds",
                system -> List.of("-XX:SharedArchiveFile=" + archives.resolve(system + ".jsa"), "-Xshare:auto"));
    }

    /** The JVM options of one system's child. */
    private interface JvmOptions {
        List<String> of(String system);
    }

    private static void measure(Dialect dialect, int count, String url, int rounds, String jvm, JvmOptions options)
            throws Exception {
        List<Double> fdb = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            // Who goes first alternates: the second child finds the file in the page cache the first just read.
            for (String system : round % 2 == 0 ? List.of("fdb", "raw") : List.of("raw", "fdb")) {
                (system.equals("fdb") ? fdb : raw).add(NamespaceScaleBench.childSeconds(system, url, 1,
                        options.of(system)));
            }
        }
        System.out.printf(Locale.ROOT, "dialect=%s n=%d jvm=%s metric=fresh_process_open_first_query "
                + "fdb_best=%.2f raw_best=%.2f ratio_best=%.2f fdb_median=%.2f raw_median=%.2f ratio_median=%.2f "
                + "fdb_runs=%s raw_runs=%s load=%s%n", dialect.name().toLowerCase(Locale.ROOT), count, jvm,
                min(fdb), min(raw), min(fdb) / min(raw), Stats.median(fdb), Stats.median(raw),
                Stats.median(fdb) / Stats.median(raw), format(fdb), format(raw), Stats.load());
    }

    /**
     * The kept database of COUNT FoundUps (each with one user), made on first use.
     *
     * @param dialect SQLite or PostgreSQL
     * @param where   the SQLite folder, or the PostgreSQL admin URL
     * @param count   how many FoundUps
     * @return its URL
     * @throws Exception on any failure
     */
    static String database(Dialect dialect, String where, int count) throws Exception {
        String url;
        boolean exists;
        if (dialect == Dialect.SQLITE) {
            Path file = Path.of(where).resolve("open-" + count + ".db").toAbsolutePath();
            Files.createDirectories(file.getParent());
            exists = Files.exists(file);
            url = "jdbc:sqlite:" + file;
        } else {
            url = new NamespaceScaleBench.PostgresServer(where).existing("open_" + count);
            exists = url != null;
            if (!exists) {
                url = new NamespaceScaleBench.PostgresServer(where).fresh("open_" + count);
            }
        }
        if (!exists) {
            long t0 = System.nanoTime();
            try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
                List<String> ids = IntStream.range(0, count).mapToObj(i -> "fu_" + i).toList();
                for (int from = 0; from < count; from += 500) {
                    List<String> chunk = ids.subList(from, Math.min(count, from + 500));
                    db.catalog().createFoundUps(chunk);
                    for (String id : chunk) {
                        db.foundUp(id).addUser("user1", "StreamViewer");
                    }
                    System.err.printf(Locale.ROOT, "  created %d FoundUps, %.0f s%n", from + chunk.size(),
                            NamespaceScaleBench.seconds(t0));
                }
            }
        }
        int namespaces = countNamespaces(url);
        if (namespaces != count) {
            throw new IllegalStateException(url + " has " + namespaces + " namespaces, not " + count
                    + ": delete it and run again");
        }
        return url;
    }

    private static int countNamespaces(String url) throws Exception {
        try (Connection c = RawJdbc.connect(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM foundupsdb_namespaces")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    private static String format(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList().toString().replace(" ", "");
    }
}
