package dev.foundups.db.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.foundups.db.Dialect;
import dev.foundups.db.FoundupsDb;

/**
 * What a process holds after touching many namespaces: opens the kept database of COUNT FoundUps (made like
 * {@link OpenScaleBench}'s), reads one user from each of the first 1,000, then all COUNT (a point read each), and
 * after each step forces a full GC and prints the heap in use (MemoryMXBean), the resident size (VmRSS) and the
 * classes that hold most of the heap ({@code jcmd PID GC.class_histogram}).
 *
 * <pre>
 * bench/run --memory sqlite FOLDER COUNT | postgresql ADMIN_URL COUNT
 * </pre>
 */
public final class MemoryBench {

    private MemoryBench() {
    }

    /**
     * @param args dialect, SQLite folder or PostgreSQL admin URL, count
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        Dialect dialect = Dialect.valueOf(args[0].toUpperCase(Locale.ROOT));
        int count = Integer.parseInt(args[2]);
        String url = OpenScaleBench.database(dialect, args[1], count);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            report(dialect, 0, "opened");
            int touched = 0;
            for (int step : new int[] {Math.min(1_000, count), count}) {
                for (; touched < step; touched++) {
                    if (db.foundUp("fu_" + touched).user("user1").isEmpty()) {
                        throw new IllegalStateException("fu_" + touched + " has no user1");
                    }
                }
                report(dialect, touched, "touched");
            }
        }
    }

    private static void report(Dialect dialect, int touched, String what) throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(Locale.ROOT, "dialect=%s namespaces_%s=%d heap_used_mib=%.1f rss_mib=%.1f%n",
                dialect.name().toLowerCase(Locale.ROOT), what, touched, heap / 1048576.0, rssKib() / 1024.0);
        for (String line : histogram(12)) {
            System.out.println("  " + line);
        }
    }

    private static long rssKib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** The first rows of this process's class histogram: instances, bytes, class. */
    private static List<String> histogram(int rows) throws Exception {
        long pid = ProcessHandle.current().pid();
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram").redirectErrorStream(true)
                .start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(jcmd.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.matches("\\s*(num|[0-9]+:|Total|-+).*") && lines.size() < rows + 2) {
                    lines.add(line.trim());
                } else if (line.startsWith("Total")) {
                    lines.add(line.trim());
                }
            }
        }
        jcmd.waitFor();
        return lines;
    }
}
