package dev.foundups.db.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs the systems side by side: warm-up rounds of the JVM systems, then measured rounds in which the systems take
 * turns, the starting system moving one place each round, so no system always runs first or last on a machine
 * whose load drifts. Each run is on a fresh database.
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
            for (int round = 1; round <= options.warmups(); round++) {
                for (Contender contender : contenders) {
                    if (contender.inJvm()) {
                        contender.run(workload);
                    }
                }
                out.printf(Locale.ROOT, "warm-up round %d done%n", round);
            }
            Results results = new Results(contenders.stream().map(Contender::name).toList());
            for (int round = 0; round < options.rounds(); round++) {
                for (int turn = 0; turn < contenders.size(); turn++) {
                    Contender contender = contenders.get((round + turn) % contenders.size());
                    for (OpTiming timing : contender.run(workload)) {
                        results.add(contender.name(), timing);
                        out.printf(Locale.ROOT, "round=%d system=%s %s%n", round + 1, contender.name(),
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
}
