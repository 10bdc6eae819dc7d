package dev.foundups.db.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the systems side by side: warm-up rounds of the JVM systems, then measured rounds. By default the JVM
 * systems run each op together, taking turns every few hundred ops ({@link WorkloadRunner#runInTurns}), so a
 * machine whose load drifts slows them alike; the reference runs before or after them, alternately. With
 * {@code --turns 0} each system runs the whole workload alone, the starting system moving one place each round.
 * Each run is on a fresh database.
 */
final class Harness {

    private Harness() {
    }

    /**
     * @param options what to run
     * @param out     where progress lines and the table go
     * @return every measured figure
     * @throws Exception when a system fails; the run stops
     */
    static Results run(BenchOptions options, PrintStream out) throws Exception {
        Workload workload = new Workload(options.scale());
        List<String> skipped = new ArrayList<>();
        EmbeddedPostgresServer postgres = null;
        try {
            List<Contender> contenders = new ArrayList<>();
            SqliteFile typedFile = new SqliteFile(options.dataDir().resolve("foundups-sqlite.db"));
            SqliteFile rawFile = new SqliteFile(options.dataDir().resolve("raw-sqlite.db"));
            SqliteFile referenceFile = new SqliteFile(options.dataDir().resolve("reference.db"));
            if (options.runs("foundups-pg") || options.runs("raw-pg")) {
                postgres = EmbeddedPostgresServer.start();
            }
            for (String system : BenchOptions.ALL_SYSTEMS) {
                if (!options.runs(system)) {
                    continue;
                }
                switch (system) {
                    case "foundups-sqlite" -> contenders.add(new TypedApiContender(typedFile));
                    case "raw-sqlite" -> contenders.add(new RawJdbcContender(rawFile));
                    case "foundups-pg" -> contenders.add(new TypedApiContender(postgres));
                    case "raw-pg" -> contenders.add(new RawJdbcContender(postgres));
                    case "reference" -> {
                        ReferenceContender.Availability reference = ReferenceContender.find(options.reference(),
                                referenceFile);
                        reference.contender().ifPresentOrElse(contenders::add, () -> skipped.add(reference.skipped()));
                    }
                    default -> throw new IllegalStateException(system);
                }
            }
            out.printf(Locale.ROOT, "workload: SCALE=%s, %d measured round(s) after %d warm-up round(s); systems: %s%n",
                    options.scale(), options.rounds(), options.warmups(),
                    contenders.stream().map(Contender::name).toList());
            skipped.forEach(out::println);
            List<Contender> inJvm = contenders.stream().filter(Contender::inJvm).toList();
            for (int round = 1; round <= options.warmups(); round++) {
                if (options.turns() > 0) {
                    runInTurns(inJvm, workload, options.turns());
                } else {
                    for (Contender contender : inJvm) {
                        contender.run(workload);
                    }
                }
                out.printf(Locale.ROOT, "warm-up round %d done%n", round);
            }
            Results results = new Results(contenders.stream().map(Contender::name).toList());
            for (int round = 0; round < options.rounds(); round++) {
                Map<Contender, List<OpTiming>> measured = new LinkedHashMap<>();
                if (options.turns() > 0) {
                    // The in-JVM systems together, in turns; the others (the reference) before or after them,
                    // alternately.
                    List<Contender> outside = contenders.stream().filter(c -> !c.inJvm()).toList();
                    if (round % 2 == 1) {
                        runAlone(outside, workload, measured);
                    }
                    List<List<OpTiming>> timings = runInTurns(inJvm, workload, options.turns());
                    for (int k = 0; k < inJvm.size(); k++) {
                        measured.put(inJvm.get(k), timings.get(k));
                    }
                    if (round % 2 == 0) {
                        runAlone(outside, workload, measured);
                    }
                } else {
                    List<Contender> order = new ArrayList<>();
                    for (int turn = 0; turn < contenders.size(); turn++) {
                        order.add(contenders.get((round + turn) % contenders.size()));
                    }
                    runAlone(order, workload, measured);
                }
                for (Map.Entry<Contender, List<OpTiming>> entry : measured.entrySet()) {
                    for (OpTiming timing : entry.getValue()) {
                        results.add(entry.getKey().name(), timing);
                        out.printf(Locale.ROOT, "round=%d system=%s %s%n", round + 1, entry.getKey().name(),
                                timing.line());
                    }
                }
            }
            out.println();
            ResultTable.print(results, out);
            skipped.forEach(out::println);
            return results;
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    private static void runAlone(List<Contender> contenders, Workload workload,
                                 Map<Contender, List<OpTiming>> measured) throws Exception {
        for (Contender contender : contenders) {
            measured.put(contender, contender.run(workload));
        }
    }

    /** Opens every system's fresh database, runs the workload on them in turns, and closes them. */
    private static List<List<OpTiming>> runInTurns(List<Contender> contenders, Workload workload, int turns)
            throws Exception {
        List<Session> sessions = new ArrayList<>();
        try {
            for (Contender contender : contenders) {
                sessions.add(contender.open(workload));
            }
            return WorkloadRunner.runInTurns(workload, sessions, turns);
        } finally {
            Exception failure = null;
            for (Session session : sessions) {
                try {
                    session.close();
                } catch (Exception e) {
                    if (failure == null) {
                        failure = e;
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
