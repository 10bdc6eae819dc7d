package dev.foundups.db.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The protocol's reference design, {@code python3 run_workload.py DB_PATH SCALE}, in its own process. It times
 * itself and prints the same lines this harness prints, so its figures are read from its output. Its database file
 * is deleted before and after each run here too (the script deletes it as well).
 */
final class ReferenceContender implements Contender {

    private final Path script;
    private final SqliteFile database;

    private ReferenceContender(Path script, SqliteFile database) {
        this.script = script;
        this.database = database;
    }

    /**
     * @param script   {@code run_workload.py}
     * @param database where its database file goes
     * @return the contender, or why it cannot run here
     */
    static Availability find(Path script, SqliteFile database) {
        if (!Files.isRegularFile(script)) {
            return new Availability(Optional.empty(), "reference: skipped (no " + script + ")");
        }
        try {
            Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
                return new Availability(Optional.empty(), "reference: skipped (python3 --version failed)");
            }
        } catch (IOException e) {
            return new Availability(Optional.empty(), "reference: skipped (python3 not found on PATH)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Availability(Optional.empty(), "reference: skipped (interrupted)");
        }
        return new Availability(Optional.of(new ReferenceContender(script, database)), null);
    }

    /**
     * Whether the reference can run.
     *
     * @param contender present when it can
     * @param skipped   the line to print when it cannot
     */
    record Availability(Optional<Contender> contender, String skipped) {
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public boolean inJvm() {
        return false;
    }

    @Override
    public List<OpTiming> run(Workload workload) throws IOException, InterruptedException {
        database.create();
        try {
            Process process = new ProcessBuilder("python3", script.toString(), database.file().toString(),
                    Double.toString(workload.scale())).redirectErrorStream(true).start();
            // A stopped benchmark must not leave the reference writing on in the background.
            Thread reaper = new Thread(process::destroyForcibly);
            Runtime.getRuntime().addShutdownHook(reaper);
            try {
                return readTimings(process);
            } finally {
                process.destroyForcibly();
                Runtime.getRuntime().removeShutdownHook(reaper);
            }
        } finally {
            database.drop(null);
        }
    }

    private static List<OpTiming> readTimings(Process process) throws IOException, InterruptedException {
        List<OpTiming> timings = new ArrayList<>();
        List<String> other = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                OpTiming timing = line.startsWith("op=") ? OpTiming.parse(line) : null;
                if (timing == null) {
                    other.add(line);
                } else {
                    timings.add(timing);
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || timings.size() != Op.values().length) {
            throw new IllegalStateException("the reference design exited with " + exit + " after "
                    + timings.size() + " of " + Op.values().length + " ops: " + String.join("\n", other));
        }
        return timings;
    }
}
