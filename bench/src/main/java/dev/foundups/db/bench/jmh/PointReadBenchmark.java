package dev.foundups.db.bench.jmh;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.jooq.JSON;
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

import dev.foundups.db.bench.RawJdbc;
import dev.foundups.db.jooq.tables.records.ChatRulesModeratorsRecord;
import dev.foundups.db.modules.chatrules.ChatRules;

/**
 * get_moderator three ways on the same SQLite file of 1,000 moderators: the typed API (pooled connection, query
 * built, rendered and prepared per call), JDBC preparing the same SQL per call on one connection, and JDBC
 * reusing one prepared statement (the workload's raw baseline). The gaps split the typed API's cost into jOOQ and
 * pool on one side and SQLite's statement compilation on the other.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
// jOOQ's call paths are deep: C2 needs several seconds of calls on two cores before the typed API is at steady
// state, so a short warm-up would measure the JIT rather than the code.
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
public class PointReadBenchmark {

    private static final String SELECT = "select id, name, points, data from modules_chat_rules_moderators"
            + " where id = ?";
    private static final int MODERATORS = 1000;

    private BenchDatabase database;
    private ChatRules chat;
    private Connection connection;
    private PreparedStatement reused;
    private int i;

    @Setup
    public void setUp() throws Exception {
        database = new BenchDatabase();
        chat = ChatRules.of(database.db());
        for (int m = 0; m < MODERATORS; m++) {
            chat.upsertModerator("mod" + m, "Mod " + m, m, JSON.valueOf("{\"level\":\"ROOKIE\"}"));
        }
        connection = DriverManager.getConnection(database.jdbcUrl(), RawJdbc.sqliteProperties());
        reused = connection.prepareStatement(SELECT);
    }

    @TearDown
    public void tearDown() throws Exception {
        reused.close();
        connection.close();
        database.close();
    }

    @Benchmark
    public ChatRulesModeratorsRecord typedApi() {
        return chat.moderator(id()).orElseThrow();
    }

    @Benchmark
    public String jdbcPreparePerCall() throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(SELECT)) {
            return read(statement, id());
        }
    }

    @Benchmark
    public String jdbcReusedStatement() throws SQLException {
        return read(reused, id());
    }

    private static String read(PreparedStatement statement, String id) throws SQLException {
        statement.setString(1, id);
        try (ResultSet rs = statement.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("no moderator " + id);
            }
            String name = rs.getString(2);
            rs.getInt(3);
            rs.getString(4);
            if (rs.next()) {
                throw new IllegalStateException("two moderators " + id);
            }
            return name;
        }
    }

    /** The workload's read order: a prime stride over the moderators. */
    private String id() {
        i++;
        return "mod" + (int) (i * 7919L % MODERATORS);
    }
}
