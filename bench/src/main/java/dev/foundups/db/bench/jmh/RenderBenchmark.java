package dev.foundups.db.bench.jmh;

import static dev.foundups.db.jooq.Tables.CHAT_RULES_MODERATORS;

import java.util.concurrent.TimeUnit;

import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderTable;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.foundups.db.modules.chatrules.ChatRules;

/**
 * What the typed API pays in Java before the driver sees a statement: building the get_moderator query and
 * rendering it, with the library's settings and table mapping, against the same without the mapping or with every
 * column qualified by its table, and rendering alone. No database is touched; the settings are the ones {@code chat_rules}'s context really has.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
// jOOQ's call paths are deep: C2 needs several seconds of calls on two cores before the typed API is at steady
// state, so a short warm-up would measure the JIT rather than the code.
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
public class RenderBenchmark {

    /** SQLite checks each identifier against its keyword list and a pattern; PostgreSQL quotes every one. */
    @Param({"SQLITE", "POSTGRES"})
    public String dialect;

    private BenchDatabase database;
    private DSLContext mapped;
    private DSLContext unmapped;
    private DSLContext qualified;
    private Query prebuilt;
    private int i;

    /** Opens a database for the library's real settings, then makes contexts of the dialect with them. */
    @Setup
    public void setUp() throws Exception {
        database = new BenchDatabase();
        Settings settings = ChatRules.of(database.db()).dsl().settings();
        SQLDialect sqlDialect = SQLDialect.valueOf(dialect);
        mapped = DSL.using(sqlDialect, settings);
        unmapped = DSL.using(sqlDialect, ((Settings) settings.clone()).withRenderMapping(null));
        qualified = DSL.using(sqlDialect, ((Settings) settings.clone()).withRenderTable(RenderTable.ALWAYS));
        prebuilt = mapped.selectFrom(CHAT_RULES_MODERATORS).where(CHAT_RULES_MODERATORS.ID.eq("mod1"));
    }

    @TearDown
    public void tearDown() throws Exception {
        database.close();
    }

    /** What {@code ChatRules.moderator} does before executing: build, then render through the mapping. */
    @Benchmark
    public String buildAndRenderMapped() {
        return mapped.selectFrom(CHAT_RULES_MODERATORS).where(CHAT_RULES_MODERATORS.ID.eq(id())).getSQL();
    }

    /** The same without a render mapping: the mapping's own share. */
    @Benchmark
    public String buildAndRenderUnmapped() {
        return unmapped.selectFrom(CHAT_RULES_MODERATORS).where(CHAT_RULES_MODERATORS.ID.eq(id())).getSQL();
    }

    /** jOOQ's default, every column qualified, which the library's {@code RenderTable.WHEN_MULTIPLE_TABLES} avoids. */
    @Benchmark
    public String buildAndRenderMappedQualified() {
        return qualified.selectFrom(CHAT_RULES_MODERATORS).where(CHAT_RULES_MODERATORS.ID.eq(id())).getSQL();
    }

    /** Rendering alone, of a query built once: the building's share. */
    @Benchmark
    public String renderOnly() {
        return prebuilt.getSQL();
    }

    private String id() {
        return "mod" + (i++ & 1023);
    }
}
