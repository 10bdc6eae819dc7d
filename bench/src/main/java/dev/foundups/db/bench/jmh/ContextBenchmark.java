package dev.foundups.db.bench.jmh;

import static dev.foundups.db.jooq.Tables.CHAT_RULES_MODERATORS;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.foundups.db.modules.chatrules.ChatRules;
import dev.foundups.db.internal.naming.TableNamer;

/**
 * Why each namespace keeps one long-lived context: rendering get_moderator on the cached context of
 * {@code chat_rules}, against deriving a fresh context with the same table mapping for every query, as code that
 * built its context per call would.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
// jOOQ's call paths are deep: C2 needs several seconds of calls on two cores before the typed API is at steady
// state, so a short warm-up would measure the JIT rather than the code.
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
public class ContextBenchmark {

    private static final Map<String, String> MAPPING = Map.of(
            "chat_rules_moderators", "modules_chat_rules_moderators",
            "chat_rules_timeouts", "modules_chat_rules_timeouts");

    private BenchDatabase database;
    private DSLContext shared;
    private DSLContext cached;
    private int i;

    @Setup
    public void setUp() throws Exception {
        database = new BenchDatabase();
        shared = database.db().dsl();
        cached = ChatRules.of(database.db()).dsl();
    }

    @TearDown
    public void tearDown() throws Exception {
        database.close();
    }

    @Benchmark
    public String cachedContext() {
        return cached.selectFrom(CHAT_RULES_MODERATORS).where(CHAT_RULES_MODERATORS.ID.eq(id())).getSQL();
    }

    /** What {@code Namespaces} does once per namespace, done per query. */
    @Benchmark
    public String freshContext() {
        DSLContext fresh = DSL.using(shared.configuration().derive(TableNamer.mapped(shared.settings(), MAPPING)));
        return fresh.selectFrom(CHAT_RULES_MODERATORS).where(CHAT_RULES_MODERATORS.ID.eq(id())).getSQL();
    }

    private String id() {
        return "mod" + (i++ & 1023);
    }
}
