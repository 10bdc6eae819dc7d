package dev.foundups.db.copy;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_COPY;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_COPY_TABLES;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.jooq.tables.records.FoundupsdbCopyRecord;

/**
 * Looks at the target before anything is written to it, and decides with the caller's {@link ExistingTarget}
 * whether the copy starts, resumes or is refused. Runs on a plain connection: opening the target as a FoundUps DB
 * would already create tables in it. A sharded target (its database lists shards) is prepared as a whole by
 * {@link ClusterPreparation}.
 */
final class TargetPreparation {

    /** Tables that hold no user data: a target with rows only in these is still empty. */
    private static final Set<String> BOOKKEEPING = Set.of("databasechangelog", "databasechangeloglock",
            "foundupsdb_template_changes", "foundupsdb_fingerprints", FOUNDUPSDB_COPY.getName(),
            FOUNDUPSDB_COPY_TABLES.getName());

    /** The tables FoundUps DB creates, by the protocol's naming: what REPLACE drops. */
    private static final Pattern OWN_TABLE = Pattern.compile(
            "(agents|modules|foundups|foundupsdb)_[a-z0-9_]+|databasechangelog(lock)?", Pattern.CASE_INSENSITIVE);

    private TargetPreparation() {
    }

    /**
     * @return true to resume an interrupted copy from the same source, false to start a new one
     * @throws FoundupsDbException TRANSFER when the target holds data and the mode does not allow going on
     */
    static boolean prepare(DatabaseUrl target, String setting, ExistingTarget mode, String source) {
        DialectStrategy strategy = target.strategy();
        if (!strategy.exists(target)) {
            return false; // a new file: nothing to look at
        }
        try (Connection c = connect(target, setting, new Properties())) {
            DSLContext dsl = DSL.using(c, strategy.jooqDialect());
            Set<String> tables = strategy.tables(c);
            if (ClusterPreparation.sharded(dsl, tables)) {
                return ClusterPreparation.prepare(target, setting, mode, source, c, tables);
            }
            if (mode == ExistingTarget.REPLACE) {
                drop(c, dsl, strategy, tables);
                return false;
            }
            FoundupsdbCopyRecord copy = tables.contains(FOUNDUPSDB_COPY.getName())
                    ? dsl.selectFrom(FOUNDUPSDB_COPY).fetchOne() : null;
            if (copy != null && copy.getFinishedAt() == null) {
                return interrupted(copy, dsl.fetchCount(FOUNDUPSDB_COPY_TABLES), mode, setting + " " + target,
                        source);
            }
            List<String> withRows = new ArrayList<>();
            for (String table : tables) {
                // Liquibase names its tables in upper case on SQLite.
                if (!isBookkeeping(table.toLowerCase(Locale.ROOT)) && dsl.fetchExists(DSL.table(DSL.name(table)))) {
                    withRows.add(table);
                }
            }
            if (!withRows.isEmpty()) {
                throw new FoundupsDbException(ErrorCode.TRANSFER, setting + " " + target + " is not empty: "
                        + withRows.size() + " table(s) hold rows (" + firstFew(withRows) + "). Copy into an empty "
                        + "database, or add --replace to drop its FoundUps DB tables first");
            }
            return false;
        } catch (SQLException e) {
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot inspect " + setting + " " + target + ": "
                    + DatabaseUrl.mask(String.valueOf(e.getMessage())), e);
        }
    }

    /**
     * A target that holds an interrupted copy: going on with it is what RESUME is for, from the same source only.
     *
     * @param done   how many tables the interrupted run finished
     * @param target how messages name the target, such as {@code --to postgresql://...}
     * @return true: resume
     */
    static boolean interrupted(FoundupsdbCopyRecord copy, int done, ExistingTarget mode, String target,
                               String source) {
        if (mode != ExistingTarget.RESUME) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, target + " holds an interrupted copy from "
                    + copy.getSource() + " (" + done + " table(s) done, started " + copy.getStartedAt() + "): add "
                    + "--resume to go on with it, or --restart to start over");
        }
        if (!copy.getSource().equals(source)) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, target + " holds an interrupted copy from "
                    + copy.getSource() + ", not from " + source + ": it cannot be resumed from another source; add "
                    + "--restart to start over");
        }
        return true;
    }

    /** @return whether a table (lower case) holds no user data: a target with rows only in these is empty */
    static boolean isBookkeeping(String table) {
        return BOOKKEEPING.contains(table);
    }

    /** @return the first five names, and how many more there are */
    static String firstFew(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(5, names.size())))
                + (names.size() > 5 ? " and " + (names.size() - 5) + " more" : "");
    }

    /** A plain connection, with the URL's credentials and any driver properties; errors name the setting. */
    static Connection connect(DatabaseUrl url, String setting, Properties properties) {
        try {
            return url.connect(properties);
        } catch (SQLException e) {
            throw new FoundupsDbException(ErrorCode.DB_CONNECTION, "cannot connect to " + setting + " " + url + ": "
                    + DatabaseUrl.mask(String.valueOf(e.getMessage())), e);
        }
    }

    /** Drops FoundUps DB's tables, all or none: one transaction (both dialects have transactional DDL). */
    private static void drop(Connection c, DSLContext dsl, DialectStrategy strategy, Set<String> tables)
            throws SQLException {
        List<String> own = tables.stream().filter(t -> OWN_TABLE.matcher(t).matches()).toList();
        if (own.isEmpty()) {
            return;
        }
        c.setAutoCommit(false);
        try {
            strategy.dropTables(dsl, own);
            c.commit();
        } catch (RuntimeException | SQLException e) {
            c.rollback();
            throw e;
        }
    }
}
