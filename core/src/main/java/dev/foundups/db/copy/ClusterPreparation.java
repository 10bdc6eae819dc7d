package dev.foundups.db.copy;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_COPY;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_COPY_TABLES;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_MOVES;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_SHARDS;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.jooq.tables.records.FoundupsdbCopyRecord;
import dev.foundups.db.jooq.tables.records.FoundupsdbMovesRecord;

/**
 * {@link TargetPreparation} of a sharded target: {@code main}, which holds the directory, and every shard the
 * directory lists, each looked at on a plain connection before anything is written. The modes keep their meaning
 * over the whole cluster, and none of them touches which shards there are:
 *
 * <ul>
 *   <li>REFUSE: main and every shard must hold no data (main's directory of shards and move history aside);</li>
 *   <li>RESUME: main's record of the interrupted run decides, as on one database; each shard keeps its own
 *       record of the tables it finished;</li>
 *   <li>REPLACE empties main and every shard (namespace tables dropped, shared tables emptied) and keeps the
 *       shards registered: dropping main's tables, as on one database, would forget the shards and leave their
 *       data behind.</li>
 * </ul>
 *
 * A shard that cannot be reached, or a move that has not finished, stops every mode before anything changes.
 */
final class ClusterPreparation {

    /** The directory's own database, as a shard. */
    private static final String MAIN = "main";
    /** The journal's state of a move that has not finished (see the moves package's journal). */
    private static final String MOVE_RUNNING = "RUNNING";
    /** On main, the directory: which shards there are, and the history of moves. Not data, and never emptied. */
    private static final Set<String> DIRECTORY = Set.of(FOUNDUPSDB_SHARDS.getName(), FOUNDUPSDB_MOVES.getName());
    /** What REPLACE leaves as it is on every database besides the directory: Liquibase's and the templates'. */
    private static final Set<String> KEPT = Set.of("databasechangelog", "databasechangeloglock",
            "foundupsdb_template_changes", "foundupsdb_fingerprints");
    private static final Pattern NAMESPACE_TABLE = Pattern.compile("(modules|foundups)_[a-z0-9_]+");
    private static final Pattern SHARED_TABLE = Pattern.compile("(agents|foundupsdb)_[a-z0-9_]+");

    /** A database of the cluster on a plain connection, with its tables. */
    private record Member(String shard, DatabaseUrl url, Connection connection, DSLContext dsl, Set<String> tables) {
    }

    private ClusterPreparation() {
    }

    /** @return whether the target's main lists shards: then {@link #prepare} decides */
    static boolean sharded(DSLContext main, Set<String> tables) {
        return tables.contains(FOUNDUPSDB_SHARDS.getName()) && main.fetchExists(FOUNDUPSDB_SHARDS);
    }

    /**
     * @param main       a plain connection to the target URL's database, closed by the caller
     * @param mainTables its tables
     * @return true to resume an interrupted copy from the same source, false to start a new one
     * @throws FoundupsDbException TRANSFER when the cluster holds data and the mode does not allow going on, or a
     *                             move is unfinished; DB_CONNECTION naming a shard that cannot be reached
     */
    static boolean prepare(DatabaseUrl target, String setting, ExistingTarget mode, String source, Connection main,
                           Set<String> mainTables) throws SQLException {
        DialectStrategy strategy = target.strategy();
        String label = setting + " " + target;
        List<Member> members = new ArrayList<>();
        members.add(new Member(MAIN, target, main, DSL.using(main, strategy.jooqDialect()), mainTables));
        try {
            refuseUnfinishedMove(members.get(0).dsl(), label);
            for (var row : members.get(0).dsl().selectFrom(FOUNDUPSDB_SHARDS).where(FOUNDUPSDB_SHARDS.NAME.ne(MAIN))
                    .orderBy(FOUNDUPSDB_SHARDS.NAME).fetch()) {
                members.add(open(strategy, row.getName(), row.getUrl(), label));
            }
            if (mode == ExistingTarget.REPLACE) {
                // Main last: until it is emptied, its directory still says where the other shards' data came from.
                for (int i = members.size() - 1; i >= 0; i--) {
                    empty(members.get(i), strategy);
                }
                return false;
            }
            Member first = members.get(0);
            FoundupsdbCopyRecord copy = first.tables().contains(FOUNDUPSDB_COPY.getName())
                    ? first.dsl().selectFrom(FOUNDUPSDB_COPY).fetchOne() : null;
            if (copy != null && copy.getFinishedAt() == null) {
                return TargetPreparation.interrupted(copy, done(members), mode, label, source);
            }
            refuseData(members, label);
            return false;
        } finally {
            for (Member m : members.subList(1, members.size())) {
                m.connection().close();
            }
        }
    }

    private static Member open(DialectStrategy strategy, String shard, String url, String label)
            throws SQLException {
        DatabaseUrl parsed = DatabaseUrl.parse(url, "the URL of shard '" + shard + "'");
        Connection c;
        try {
            c = TargetPreparation.connect(parsed, "shard '" + shard + "' at", new Properties());
        } catch (FoundupsDbException e) {
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, e.getMessage() + ". The copy onto " + label
                    + " needs every shard; nothing was written. Bring the shard back (or correct its URL in "
                    + FOUNDUPSDB_SHARDS.getName() + "), then run the copy again", e);
        }
        return new Member(shard, parsed, c, DSL.using(c, strategy.jooqDialect()), strategy.tables(c));
    }

    /** A move left half-done would go on writing (or rolling back) under the copy: it must be finished first. */
    private static void refuseUnfinishedMove(DSLContext main, String label) {
        FoundupsdbMovesRecord move = main.selectFrom(FOUNDUPSDB_MOVES).where(FOUNDUPSDB_MOVES.STATE.eq(MOVE_RUNNING))
                .orderBy(FOUNDUPSDB_MOVES.ID).limit(1).fetchOne();
        if (move != null) {
            String kind = move.getKind().toLowerCase(Locale.ROOT);
            String command = "agent".equals(kind)
                    ? "foundups-db shard move-agent " + move.getName() + " --to " + move.getTargetShard()
                    : "foundups-db namespace move " + kind + " " + move.getName() + " --to " + move.getTargetShard();
            throw new FoundupsDbException(ErrorCode.TRANSFER, label + " has an unfinished move of " + kind + " '"
                    + move.getName() + "' from shard '" + move.getSourceShard() + "' to '" + move.getTargetShard()
                    + "'; nothing was written. Finish it first (" + command + "), then run the copy again");
        }
    }

    private static int done(List<Member> members) {
        int done = 0;
        for (Member m : members) {
            if (m.tables().contains(FOUNDUPSDB_COPY_TABLES.getName())) {
                done += m.dsl().fetchCount(FOUNDUPSDB_COPY_TABLES);
            }
        }
        return done;
    }

    /** Refuses a cluster with data, saying what each database holds: the shards' tables are named as well. */
    private static void refuseData(List<Member> members, String label) {
        List<String> held = new ArrayList<>();
        for (Member m : members) {
            List<String> withRows = new ArrayList<>();
            for (String table : m.tables()) {
                String lower = table.toLowerCase(Locale.ROOT);
                boolean directory = MAIN.equals(m.shard()) && DIRECTORY.contains(lower);
                if (!directory && !TargetPreparation.isBookkeeping(lower)
                        && m.dsl().fetchExists(DSL.table(DSL.name(table)))) {
                    withRows.add(table);
                }
            }
            if (!withRows.isEmpty()) {
                held.add((MAIN.equals(m.shard()) ? "main" : "shard '" + m.shard() + "'") + ": " + withRows.size()
                        + " table(s) (" + TargetPreparation.firstFew(withRows) + ")");
            }
        }
        if (!held.isEmpty()) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, label + " is not empty, tables hold rows on "
                    + String.join("; ", held) + ". Copy into an empty sharded database, or add --replace to empty "
                    + "main and every shard first (the shards stay registered)");
        }
    }

    /** Empties one database of the cluster, all or nothing: one transaction (PostgreSQL has transactional DDL). */
    private static void empty(Member m, DialectStrategy strategy) throws SQLException {
        List<String> drop = m.tables().stream().filter(t -> NAMESPACE_TABLE.matcher(t).matches()).toList();
        List<String> empty = m.tables().stream().filter(t -> SHARED_TABLE.matcher(t).matches())
                .filter(t -> !KEPT.contains(t) && !DIRECTORY.contains(t)).toList();
        Connection c = m.connection();
        c.setAutoCommit(false);
        try {
            strategy.dropTables(m.dsl(), drop);
            strategy.emptyTables(m.dsl(), empty);
            c.commit();
        } catch (RuntimeException | SQLException e) {
            c.rollback();
            throw new FoundupsDbException(ErrorCode.TRANSFER, "cannot empty " + (MAIN.equals(m.shard()) ? "main"
                    : "shard '" + m.shard() + "'") + " (" + m.url() + ") for --replace: "
                    + DatabaseUrl.mask(String.valueOf(e.getMessage())) + "; it was left as it was", e);
        } finally {
            c.setAutoCommit(true);
        }
    }
}
