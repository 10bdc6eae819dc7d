package dev.foundups.db.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.testing.Backend;

/**
 * How many connections a main pool opens. On SQLite each new connection parses the whole schema (about a second
 * at 10,000 namespaces), so the pool keeps the first one and opens another only when a caller finds every open
 * one busy; on PostgreSQL the pool keeps one idle connection ready, as HikariCP does by default.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class DataSourcesTest {

    /** HikariCP's housekeeper first runs 100 ms after the pool starts, then fills the pool up to its idle minimum. */
    private static final long HOUSEKEEPING_MILLIS = 700;

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    private HikariDataSource open() {
        return DataSources.open(DatabaseUrl.parse(backend.newDatabaseUrl(dir), "url"), 4, Duration.ofSeconds(10),
                64L << 20);
    }

    @Test
    void whileTheOnlyConnectionIsInUseOnlyPostgresqlOpensASpareOne() throws Exception {
        try (HikariDataSource pool = open()) {
            assertEquals(1, pool.getHikariPoolMXBean().getTotalConnections(), "the pool connects once at start");
            try (Connection inUse = pool.getConnection()) {
                Thread.sleep(HOUSEKEEPING_MILLIS);
                int expected = backend == Backend.SQLITE ? 1 : 2;
                assertEquals(expected, pool.getHikariPoolMXBean().getTotalConnections(), backend + ": with the "
                        + "first connection in use, after the pool's housekeeping");
            }
        }
    }

    @Test
    void aSecondCallerAtTheSameTimeGetsAConnectionOfItsOwnAndItIsKept() throws Exception {
        try (HikariDataSource pool = open()) {
            try (Connection first = pool.getConnection(); Connection second = pool.getConnection()) {
                assertEquals(2, pool.getHikariPoolMXBean().getActiveConnections(), "both in use at once");
            }
            Thread.sleep(HOUSEKEEPING_MILLIS);
            assertEquals(2, pool.getHikariPoolMXBean().getTotalConnections(), backend + ": both kept when idle");
        }
    }
}
