package dev.foundups.db.internal.routing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.ReplicationStatus;

/**
 * Times a failover: the clock starts when the primary is lost (a write fails because it is gone or read-only, or a
 * poll finds no primary) and stops at the next write that succeeds, which becomes the last failover of the status.
 * Writes pay one volatile read while no failover runs.
 */
final class FailoverWatch {

    /** The routing log, under the one name users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final HikariDataSource writer;
    private final Nodes nodes;
    private final Object lock = new Object();
    private volatile long lostAtNanos;
    private volatile Instant lostAt;
    private volatile String lostPrimary;
    private volatile ReplicationStatus.Failover last;

    FailoverWatch(HikariDataSource writer, Nodes nodes) {
        this.writer = writer;
        this.nodes = nodes;
    }

    /** A write succeeded: when the primary was lost, writes have resumed. */
    void written() {
        if (lostAtNanos != 0) {
            resumed();
        }
    }

    /** A statement on the writer failed: when the primary is gone, the clock starts. */
    void writeFailed(SQLException e) {
        if (SqlStates.gone(e) || SqlStates.readOnly(e)) {
            lost("a write failed: " + e.getMessage());
        }
    }

    /** Starts the clock, unless it runs already. */
    void lost(String why) {
        synchronized (lock) {
            if (lostAtNanos == 0) {
                lostAtNanos = System.nanoTime();
                lostAt = Instant.now();
                lostPrimary = nodes.primaryName();
                LOG.warn("primary {} lost ({}); writes resume when a primary is reachable again", lostPrimary, why);
            }
        }
    }

    /** @return the last completed failover, if any */
    Optional<ReplicationStatus.Failover> last() {
        return Optional.ofNullable(last);
    }

    private void resumed() {
        synchronized (lock) {
            if (lostAtNanos == 0) {
                return;
            }
            Duration downtime = Duration.ofNanos(System.nanoTime() - lostAtNanos);
            String now = currentWriterHost();
            last = new ReplicationStatus.Failover(lostAt, downtime, lostPrimary, now);
            lostAtNanos = 0;
            LOG.warn("writes resumed on {} {} ms after primary {} was lost", now, downtime.toMillis(), lostPrimary);
        }
    }

    /** Which node the writer pool reaches now, by the server's port (and address where ports repeat). */
    private String currentWriterHost() {
        try (Connection c = writer.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT inet_server_port()")) {
            rs.next();
            String port = ":" + rs.getInt(1);
            List<Node> matching = nodes.writerHosts().stream().filter(n -> n.name.endsWith(port)).toList();
            if (matching.size() == 1) {
                return matching.get(0).name;
            }
        } catch (SQLException e) {
            // fall through to what the poller saw
        }
        return nodes.primaryName();
    }
}
