package dev.foundups.db;

import java.time.Duration;
import java.util.Optional;

/**
 * One PostgreSQL server of a replicated database, as the library last saw it: {@link FoundupsDb#replication()}.
 *
 * @param name        host and port, such as {@code db2:5432}
 * @param role        primary, replica, or unknown while unreachable
 * @param health      whether it takes reads now
 * @param walPosition its WAL position: the primary's insert position, a replica's replay position; empty when
 *                    unknown
 * @param lagBytes    how far a replica's replay is behind the primary, in bytes of WAL; 0 for the primary, -1 when
 *                    unknown
 * @param lag         how long a replica has been behind the primary's position; zero when caught up
 * @param activeConnections connections of its read pool in use now (for the primary: of the writer pool)
 * @param idleConnections   connections of that pool idle now
 * @param reads       reads this process sent to it
 * @param lastError   why it was last marked down, or empty
 */
public record NodeStatus(String name, Role role, Health health, Optional<String> walPosition, long lagBytes,
                         Duration lag, int activeConnections, int idleConnections, long reads,
                         Optional<String> lastError) {

    /** What a server is in the replication. */
    public enum Role {
        /** Takes the writes: not in recovery. */
        PRIMARY,
        /** A hot standby: replays the primary's WAL and serves reads. */
        REPLICA,
        /** Not reachable now. */
        UNKNOWN
    }

    /** Whether a server takes reads now. */
    public enum Health {
        /** Reachable, and (a replica) within the lag limit: gets reads. */
        UP,
        /** A replica further behind than the lag limit: no reads until it catches up. */
        LAGGING,
        /** Not reachable, or failed a read: no reads until the next poll finds it healthy. */
        DOWN
    }
}
