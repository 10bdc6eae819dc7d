package dev.foundups.db.internal.moves;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.jooq.DSLContext;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.internal.moves.MoveJournal.Entry;
import dev.foundups.db.internal.moves.MoveJournal.Method;
import dev.foundups.db.internal.naming.NamespaceName;

/**
 * Moves namespaces and agents between shards, and drains a shard; every move journaled in
 * {@code foundupsdb_moves} so that a run killed at any step leaves the old or the new placement authoritative, and
 * running the same move again finishes it (or, before its flip, {@link #rollBack} undoes it).
 *
 * <pre>
 * Moves moves = new Moves(directory, directoryDsl, classLoader);
 * Moves.Report r = moves.move(NamespaceKind.FOUNDUP, "youtube_bot", "s2");  // online if wal_level=logical
 * moves.drain("s1");                                                       // everything off s1
 * moves.dropLeftovers();                                                   // slots a down source kept
 * </pre>
 *
 * <p>The directory (shards, placements, epochs, NOTIFY) is not this package's: it implements {@link Directory}.
 */
public final class Moves {

    /** Placement kinds, as {@code foundupsdb_placements.kind} stores them. */
    public static final String MODULE = "MODULE";
    /** A FoundUp's placement kind. */
    public static final String FOUNDUP = "FOUNDUP";
    /** An agent's placement kind. */
    public static final String AGENT = "AGENT";
    /** The placement state of a name whose move has begun and not yet flipped. */
    public static final String MOVING = "MOVING";
    /**
     * The SQLState of an agent's write refused on a shard the agent was moved away from (the fence its move left
     * there, see {@code AgentMove}): the writer's copy of the directory was stale, and the write belongs on the
     * agent's new shard.
     */
    public static final String AGENT_FENCED = "FDB01";

    /**
     * What a move needs of the shard directory. Every method reads or writes the directory database itself, not a
     * cache; the changing ones commit before they return and send {@code NOTIFY foundupsdb_placements, 'KIND:name'}
     * in their transaction.
     */
    public interface Directory {
        /**
         * @param kind MODULE, FOUNDUP or AGENT
         * @param name the module name, FoundUp id or agent id
         * @return its placement, or null when it has none
         */
        Placement placement(String kind, String name);

        /**
         * @param shard a shard's name ({@code main} for the directory's own database)
         * @return its URL, password included (a move hands it to the target server's subscription)
         * @throws FoundupsDbException CONFIGURATION for an unknown shard
         */
        DatabaseUrl shardUrl(String shard);

        /** Sets the placement's state to MOVING, shard and epoch unchanged. Idempotent. */
        void markMoving(String kind, String name);

        /**
         * The flip: shard = {@code targetShard}, epoch + 1, state ACTIVE, NOTIFY. Idempotent: a placement already
         * ACTIVE on the target is left as it is.
         */
        void flip(String kind, String name, String targetShard);

        /** A rolled-back move: state ACTIVE on the same shard, epoch + 1 (so waiting writers retry), NOTIFY. */
        void restore(String kind, String name);

        /**
         * @param shard a shard
         * @return the placements on it, in a stable order
         */
        List<Placement> placementsOn(String shard);

        /**
         * @param kind          the kind being moved off a drained shard
         * @param name          its name
         * @param drainedShard  the shard being drained, never the answer
         * @return where a drained placement goes: an ACTIVE shard, by the directory's placement rule
         * @throws FoundupsDbException CONFIGURATION when there is no other ACTIVE shard
         */
        String targetFor(String kind, String name, String drainedShard);
    }

    /**
     * A row of the directory.
     *
     * @param kind  MODULE, FOUNDUP or AGENT
     * @param name  its name
     * @param shard the shard that holds it
     * @param epoch changes with every move
     * @param state PLACING, ACTIVE or MOVING
     */
    public record Placement(String kind, String name, String shard, long epoch, String state) {
    }

    /**
     * What a move did.
     *
     * @param kind          MODULE, FOUNDUP or AGENT
     * @param name          its name
     * @param source        the shard it left
     * @param target        the shard that holds it now
     * @param method        LOGICAL (online) or OFFLINE (writers waited for the whole copy)
     * @param resumed       whether this run finished a move that an earlier run had begun
     * @param rows          rows moved, or -1 when unknown (counted after the flip, on a source that was down)
     * @param total         how long this run took
     * @param freeze        how long writers were held, or null when this run did not freeze
     * @param orphanSlot    a replication slot left on the source (down during the cleanup), or null
     * @param sourceLeft    whether the source still holds the fenced tables, publication or catalog row
     * @param note          why the move was offline, or what else a reader should know; null when nothing
     */
    public record Report(String kind, String name, String source, String target, String method, boolean resumed,
                         long rows, Duration total, Duration freeze, String orphanSlot, boolean sourceLeft,
                         String note) {
    }

    private final Directory directory;
    private final MoveJournal journal;
    private final ClassLoader classLoader;
    private final MoveContext.Settings settings;
    private final MoveContext.StepHook hook;

    /**
     * @param directory         the shard directory
     * @param directoryDatabase a context on the directory database, where the journal is
     * @param classLoader       where the templates are
     * @throws FoundupsDbException CONFIGURATION naming DATABASE_URL when the directory is not PostgreSQL
     */
    public Moves(Directory directory, DSLContext directoryDatabase, ClassLoader classLoader) {
        this(directory, new MoveJournal(requirePostgres(directoryDatabase)), classLoader,
                MoveContext.Settings.DEFAULT, MoveContext.StepHook.NONE);
    }

    private static DSLContext requirePostgres(DSLContext dsl) {
        DialectStrategy.of(dsl.dialect()).requirePostgres("DATABASE_URL", "moving namespaces between shards needs "
                + "PostgreSQL, as all of sharding does (DATABASE_URL=postgresql://...)");
        return dsl;
    }

    private Moves(Directory directory, MoveJournal journal, ClassLoader classLoader, MoveContext.Settings settings,
                  MoveContext.StepHook hook) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.journal = journal;
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        this.settings = settings;
        this.hook = hook;
    }

    /**
     * @param offline true to copy under the fence even where logical replication is available
     * @return a copy of this with the setting
     */
    public Moves forceOffline(boolean offline) {
        MoveContext.Settings s = settings;
        return with(new MoveContext.Settings(s.lockTimeout(), s.lockAttempts(), s.syncTimeout(),
                s.catchUpTimeout(), s.agentGrace(), offline));
    }

    /**
     * @param timeout how long the initial copy and catch-up may take (default 1 hour)
     * @return a copy of this with the setting
     */
    public Moves syncTimeout(Duration timeout) {
        MoveContext.Settings s = settings;
        return with(new MoveContext.Settings(s.lockTimeout(), s.lockAttempts(), positive(timeout, "syncTimeout"),
                s.catchUpTimeout(), s.agentGrace(), s.forceOffline()));
    }

    /** @return a copy of this whose runs call the hook at each step (tests stop the process there) */
    Moves withHook(MoveContext.StepHook stepHook) {
        return new Moves(directory, journal, classLoader, settings, stepHook);
    }

    private Moves with(MoveContext.Settings changed) {
        return new Moves(directory, journal, classLoader, changed, hook);
    }

    private static Duration positive(Duration value, String setting) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(setting + " must be positive, was " + value);
        }
        return value;
    }

    /**
     * Moves a module or FoundUp to a shard, or finishes its unfinished move. An unfinished move to another shard is
     * finished first when it has flipped, else rolled back.
     *
     * @param kind   module or FoundUp
     * @param name   its name
     * @param target the shard to move it to
     * @return what was done; {@code rows} 0 and a note when it was there already
     * @throws FoundupsDbException INVALID_NAME, INVALID_INPUT when it has no placement, TRANSFER when a step failed
     *                             (the journal keeps the error; run the move again), MIGRATION when it is not up to
     *                             date with its template
     */
    public Report move(NamespaceKind kind, String name, String target) {
        NamespaceName.validate(kind, name, NamespaceName.MAX_NAME_LENGTH);
        return underLock(kind.name(), name, target);
    }

    /**
     * Moves an agent's rows ({@code agents_awakening}, {@code agents_memory}) to a shard; always offline.
     *
     * @param agentId the agent
     * @param target  the shard
     * @return what was done
     * @throws FoundupsDbException as {@link #move}
     */
    public Report moveAgent(String agentId, String target) {
        if (agentId == null || agentId.isEmpty()) {
            throw new FoundupsDbException(ErrorCode.INVALID_INPUT, "the agent id to move is empty");
        }
        return underLock(AGENT, agentId, target);
    }

    /**
     * Undoes the unfinished move of a module or FoundUp that has not flipped: the source stays authoritative and
     * nothing of the move is left on either shard.
     *
     * @param kind module or FoundUp
     * @param name its name
     * @return false when it had no unfinished move
     * @throws FoundupsDbException TRANSFER when the move has flipped already (it can only be finished)
     */
    public boolean rollBack(NamespaceKind kind, String name) {
        NamespaceName.validate(kind, name, NamespaceName.MAX_NAME_LENGTH);
        try (MoveJournal.Lock lock = journal.lock(kind.name(), name)) {
            Optional<Entry> open = journal.unfinished(kind.name(), name);
            if (open.isEmpty()) {
                return false;
            }
            rollBack(open.get());
            return true;
        }
    }

    /**
     * Moves every placement off a shard, one at a time, each to where the directory's placement rule puts it;
     * moves off it that an earlier run left unfinished are finished first. Stops at the first failure (run it
     * again to go on).
     *
     * @param shard the shard to empty
     * @return what each move did, in order
     */
    public List<Report> drain(String shard) {
        List<Report> reports = new ArrayList<>();
        for (Entry open : journal.unfinishedFrom(shard)) {
            reports.add(underLock(open.kind(), open.name(), open.target()));
        }
        for (int round = 0; round < 3; round++) { // placements made meanwhile (before DRAINING was seen) go too
            List<Placement> left = directory.placementsOn(shard);
            if (left.isEmpty()) {
                break;
            }
            for (Placement p : left) {
                String target = directory.targetFor(p.kind(), p.name(), shard);
                reports.add(AGENT.equals(p.kind()) ? moveAgent(p.name(), target)
                        : move(NamespaceKind.valueOf(p.kind()), p.name(), target));
            }
        }
        return reports;
    }

    /**
     * Drops what finished moves left on sources that were down during their cleanup (replication slots, which keep
     * WAL; fenced tables; publications; catalog rows), where those sources can be reached now.
     *
     * @return one line per move whose leftovers are still there
     */
    public List<String> dropLeftovers() {
        return new Leftovers(journal, directory, classLoader).drop();
    }

    private Report underLock(String kind, String name, String target) {
        Objects.requireNonNull(target, "target shard");
        try (MoveJournal.Lock lock = journal.lock(kind, name)) {
            Optional<Entry> open = journal.unfinished(kind, name);
            boolean resumed = open.isPresent();
            if (open.isPresent() && !open.get().target().equals(target)) {
                Placement now = directory.placement(kind, name);
                if (now != null && now.shard().equals(open.get().target())) {
                    run(open.get(), true, null); // it flipped: finish it, then move on from there
                } else {
                    rollBack(open.get());
                }
                open = Optional.empty();
                resumed = false;
            }
            Entry entry;
            String note = null;
            if (open.isPresent()) {
                entry = open.get();
            } else {
                Placement placement = directory.placement(kind, name);
                if (placement == null) {
                    throw new FoundupsDbException(ErrorCode.INVALID_INPUT, kind + ":" + name + " has no placement "
                            + "in the shard directory");
                }
                if (placement.shard().equals(target)) {
                    return new Report(kind, name, target, target, "NONE", false, 0, Duration.ZERO, null, null,
                            false, "already on shard '" + target + "'");
                }
                String[] method = AGENT.equals(kind) ? new String[] {Method.OFFLINE.name(), null}
                        : chooseMethod(placement.shard(), target);
                note = method[1];
                entry = journal.start(kind, name, placement.shard(), target, Method.valueOf(method[0]));
            }
            return run(entry, resumed, note != null || entry.method() == Method.LOGICAL ? note
                    : "offline: the move was begun offline by an earlier run");
        }
    }

    private Report run(Entry entry, boolean resumed, String note) {
        try (MoveContext context = new MoveContext(entry, journal, directory, settings, hook)) {
            return AGENT.equals(entry.kind()) ? new AgentMove(context).run(resumed)
                    : new NamespaceMove(context, classLoader).run(resumed, note);
        } catch (RuntimeException e) {
            journal.failed(entry, String.valueOf(e.getMessage()));
            throw e;
        }
    }

    private void rollBack(Entry entry) {
        try (MoveContext context = new MoveContext(entry, journal, directory, settings, hook)) {
            if (AGENT.equals(entry.kind())) {
                new AgentMove(context).rollBack();
            } else {
                new NamespaceMove(context, classLoader).rollBack();
            }
        } catch (SQLException e) {
            journal.failed(entry, String.valueOf(e.getMessage()));
            throw new FoundupsDbException(ErrorCode.TRANSFER, "cannot roll back the move of " + entry.label() + ": "
                    + DatabaseUrl.mask(e.getMessage()), e);
        }
    }

    /** LOGICAL when the source's WAL is logical and both sides' roles may replicate; else OFFLINE, saying why. */
    private String[] chooseMethod(String sourceShard, String targetShard) {
        if (settings.forceOffline()) {
            return new String[] {Method.OFFLINE.name(), "offline: forced by forceOffline"};
        }
        try (ShardEndpoint source = ShardEndpoint.of(directory, sourceShard);
             ShardEndpoint target = ShardEndpoint.of(directory, targetShard);
             Connection s = source.connect(); Connection t = target.connect()) {
            String wal = single(s, "SHOW wal_level");
            if (!"logical".equals(wal)) {
                return new String[] {Method.OFFLINE.name(), "offline: shard '" + sourceShard + "' has wal_level = "
                        + wal + ", not logical, so writers waited for the whole copy"};
            }
            if (!"t".equals(single(s, "SELECT rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user"))
                    || !"t".equals(single(t, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"))) {
                return new String[] {Method.OFFLINE.name(), "offline: logical replication needs a role with "
                        + "REPLICATION on the source and a superuser on the target (PostgreSQL 14)"};
            }
            return new String[] {Method.LOGICAL.name(), null};
        } catch (SQLException e) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, "cannot inspect shards '" + sourceShard + "' and '"
                    + targetShard + "': " + DatabaseUrl.mask(e.getMessage()), e);
        }
    }

    private static String single(Connection connection, String sql) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
