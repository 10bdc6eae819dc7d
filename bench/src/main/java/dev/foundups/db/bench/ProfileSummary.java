package dev.foundups.db.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads a JFR recording of a benchmark run and says where the time of one op went: each Java and native
 * execution sample whose stack passes through a given frame is put in the first cost bucket that claims it, and
 * the most frequent top frames are listed. JFR samples a thread in native code too, so SQLite's own time and
 * socket waits show up.
 *
 * <pre>
 * JAVA_OPTS=-XX:StartFlightRecording=filename=bench.jfr,settings=profile,method-profiling=max \
 *     bench/run 0.5 1 --systems foundups-sqlite
 * bench/run --profile-summary bench.jfr TypedOperations.getModerator
 * </pre>
 */
final class ProfileSummary {

    /** A cost bucket: claims a sample by its stack (top frame first). */
    private record Bucket(String label, Predicate<List<String>> claims) {
    }

    /** Checked in order: the first that claims a sample gets it, so nested costs come first. */
    private static final List<Bucket> BUCKETS = List.of(
            new Bucket("sqlite-jdbc: SELECT last_insert_rowid() after each INSERT", anyFrame("updateGeneratedKeys")),
            new Bucket("jOOQ: render SQL", anyFrame("org.jooq.impl.AbstractQuery.getSQL0")),
            new Bucket("JSON check (Jackson)", anyFrame("dev.foundups.db.internal.json.JsonDocuments")),
            new Bucket("namespace catalog and DDL", anyFrame("dev.foundups.db.internal.namespaces.Provisioning.create")),
            new Bucket("SQLite: compile statement (prepare)", topFrame("org.sqlite.core.NativeDB.prepare")),
            new Bucket("SQLite: run statement (step: execute, commit)", topFrame("org.sqlite.core.NativeDB.step")),
            new Bucket("SQLite: other native calls (bind, column, reset, finalize)", topFrame("org.sqlite.core")),
            new Bucket("socket I/O (PostgreSQL round trips)", topFrame("sun.nio.ch")),
            new Bucket("pgjdbc", anyFrame("org.postgresql")),
            new Bucket("sqlite-jdbc (Java side)", topFrame("org.sqlite")),
            new Bucket("HikariCP", topFrame("com.zaxxer.hikari")),
            new Bucket("jOOQ: execute, bind, fetch, records", anyFrame("org.jooq")),
            new Bucket("other", stack -> true));

    private ProfileSummary() {
    }

    /**
     * @param recording a JFR file
     * @param through   only samples whose stack has a frame containing this, such as
     *                  {@code TypedOperations.getModerator}; empty for all
     * @param out       where the summary goes
     * @throws IOException when the recording cannot be read
     */
    static void print(Path recording, String through, PrintStream out) throws IOException {
        Map<String, Integer> byBucket = new LinkedHashMap<>();
        BUCKETS.forEach(b -> byBucket.put(b.label, 0));
        Map<String, Integer> byTopFrame = new HashMap<>();
        int samples = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                String type = event.getEventType().getName();
                if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")
                        || event.getStackTrace() == null) {
                    continue;
                }
                List<String> stack = new ArrayList<>();
                for (RecordedFrame frame : event.getStackTrace().getFrames()) {
                    stack.add(frame.getMethod().getType().getName() + "." + frame.getMethod().getName());
                }
                if (stack.isEmpty() || !through.isEmpty() && stack.stream().noneMatch(f -> f.contains(through))) {
                    continue;
                }
                samples++;
                byTopFrame.merge(stack.get(0), 1, Integer::sum);
                for (Bucket bucket : BUCKETS) {
                    if (bucket.claims.test(stack)) {
                        byBucket.merge(bucket.label, 1, Integer::sum);
                        break;
                    }
                }
            }
        }
        out.printf(Locale.ROOT, "%s: %d samples (Java and native)%s%n", recording, samples,
                through.isEmpty() ? "" : " through " + through);
        if (samples == 0) {
            return;
        }
        int total = samples;
        byBucket.forEach((label, count) -> {
            if (count > 0) {
                out.printf(Locale.ROOT, "%6.1f%%  %s%n", 100.0 * count / total, label);
            }
        });
        out.println("top frames:");
        byTopFrame.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(12)
                .forEach(e -> out.printf(Locale.ROOT, "%6.1f%%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
    }

    private static Predicate<List<String>> anyFrame(String part) {
        return stack -> stack.stream().anyMatch(f -> f.contains(part));
    }

    private static Predicate<List<String>> topFrame(String prefix) {
        return stack -> stack.get(0).startsWith(prefix);
    }
}
