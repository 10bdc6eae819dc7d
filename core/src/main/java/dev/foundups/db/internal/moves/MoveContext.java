package dev.foundups.db.internal.moves;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * What one run of a move works with: its journal row, the directory, both shards with one connection each (opened
 * when first needed, so a source that is down after the flip costs nothing until the cleanup), the settings and
 * the test hook. Runs each step between its two journal writes.
 */
final class MoveContext implements AutoCloseable {

    /** Settings of a move; see the setters of {@link Moves}. */
    record Settings(Duration lockTimeout, int lockAttempts, Duration syncTimeout, Duration catchUpTimeout,
                    Duration agentGrace, boolean forceOffline) {
        static final Settings DEFAULT = new Settings(Duration.ofSeconds(2), 10, Duration.ofHours(1),
                Duration.ofSeconds(10), Duration.ofMillis(200), false);
    }

    /** Where a move stands within a step, for the test hook: before it, inside the freeze's lock, after it. */
    enum Point {
        START, LOCKED, DONE
    }

    /** Called at every step's start and end (and inside the freeze); tests stop the process there. */
    interface StepHook {
        StepHook NONE = (label, step, point) -> { };

        void reached(String label, Step step, Point point);
    }

    /** A step's work. */
    interface Work {
        void run() throws SQLException;
    }

    final MoveJournal.Entry entry;
    final MoveJournal journal;
    final Moves.Directory directory;
    final Settings settings;
    final StepHook hook;
    final ShardEndpoint source;
    final ShardEndpoint target;
    private Connection sourceConnection;
    private Connection targetConnection;

    MoveContext(MoveJournal.Entry entry, MoveJournal journal, Moves.Directory directory, Settings settings,
                StepHook hook) {
        this.entry = entry;
        this.journal = journal;
        this.directory = directory;
        this.settings = settings;
        this.hook = hook;
        this.source = ShardEndpoint.of(directory, entry.source());
        this.target = ShardEndpoint.of(directory, entry.target());
    }

    Connection source() {
        if (sourceConnection == null) {
            sourceConnection = source.connect();
        }
        return sourceConnection;
    }

    /** @return the source connection, or null when the source cannot be reached now */
    Connection sourceIfReachable() {
        try {
            if (sourceConnection != null && !sourceConnection.isValid(Conninfo.CONNECT_TIMEOUT_SECONDS)) {
                closeQuietly(sourceConnection); // the source went away since the connection was opened
                sourceConnection = null;
            }
        } catch (SQLException e) {
            sourceConnection = null;
        }
        if (sourceConnection == null) {
            sourceConnection = source.tryConnect();
        }
        return sourceConnection;
    }

    Connection target() {
        if (targetConnection == null) {
            targetConnection = target.connect();
        }
        return targetConnection;
    }

    /** @return whether the directory already names the target: the move has flipped */
    boolean flipped() {
        Moves.Placement placement = directory.placement(entry.kind(), entry.name());
        if (placement == null) {
            throw new FoundupsDbException(ErrorCode.INVALID_INPUT, entry.label() + " has no placement in the "
                    + "directory");
        }
        if (!placement.shard().equals(entry.source()) && !placement.shard().equals(entry.target())) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, "the directory places " + entry.label() + " on shard '"
                    + placement.shard() + "', but its unfinished move goes from '" + entry.source() + "' to '"
                    + entry.target() + "': the directory was changed by hand; fix it before moving again");
        }
        return placement.shard().equals(entry.target());
    }

    /** Runs a step between its journal writes: started, then done. */
    void step(Step step, Work work) {
        journal.step(entry, step, false);
        hook.reached(entry.label(), step, Point.START);
        try {
            work.run();
        } catch (SQLException e) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, entry.label() + ": step " + step + " failed: "
                    + DatabaseUrl.mask(String.valueOf(e.getMessage())), e);
        }
        hook.reached(entry.label(), step, Point.DONE);
        journal.step(entry, step, true);
    }

    /** @return the step to run first: the journaled one if it may not have finished, else the next */
    Step resumeFrom() {
        Step step = entry.step();
        return entry.stepDone() && step != Step.DONE ? Step.values()[step.ordinal() + 1] : step;
    }

    @Override
    public void close() {
        closeQuietly(sourceConnection);
        closeQuietly(targetConnection);
        source.close();
        target.close();
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the move's outcome is journaled; a failing close changes nothing
            }
        }
    }
}
