package dev.foundups.db.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness end to end at a tiny scale, one round, every system: what CI can afford. The real run is on demand.
 */
class HarnessSmokeTest {

    /** From the bench module's folder (the test's working directory): the repository's sibling {@code shared/}. */
    private static final Path REFERENCE = Path.of("../../shared/peers/wsp78-python/run_workload.py");

    @Test
    void printsALinePerOpForEachSystemAndTheTable(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BenchOptions options = BenchOptions.parse("0.01", "1", "--warmup", "0", "--data", dir.toString(),
                "--reference", REFERENCE.toString());
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            Harness.run(options, out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        boolean referenceRan = !output.contains("reference: skipped");
        List<String> systems = referenceRan ? BenchOptions.ALL_SYSTEMS
                : List.of("foundups-sqlite", "raw-sqlite", "foundups-pg", "raw-pg");
        for (String system : systems) {
            for (Op op : Op.values()) {
                Pattern line = Pattern.compile("(?m)^round=1 system=" + system + " op=" + op.label + " n="
                        + new Workload(0.01).count(op) + " seconds=[0-9.]+ ops_per_s=[0-9.]+$");
                assertTrue(line.matcher(output).find(), () -> "no line for " + system + " " + op.label + " in\n"
                        + output);
                Pattern row = Pattern.compile("(?m)^" + op.label + " +[0-9]+ ");
                assertTrue(row.matcher(output).find(), () -> "no table row for " + op.label + " in\n" + output);
            }
        }
        assertTrue(output.contains("sqlite/raw"), output);
    }

    @Test
    void refusesAScaleThatLeavesAnOpWithoutRuns() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse("0.001"));
        assertTrue(e.getMessage().startsWith("SCALE"), e.getMessage());
    }

    @Test
    void readsTheReferenceDesignsLines() {
        OpTiming timing = OpTiming.parse("op=get_moderator n=200 seconds=0.0706 ops_per_s=2832.9");
        assertEquals(Op.GET_MODERATOR, timing.op());
        assertEquals(200, timing.count());
        assertEquals(0.0706, timing.seconds(), 1e-9);
    }
}
