package dev.foundups.db.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import dev.foundups.db.FoundupsDbException;

/**
 * Turns a start-up that failed in FoundUps DB into Boot's two-part report: what was wrong (the exception's message,
 * which names the setting and masks passwords) and what to do about it. Bad {@code foundups.*} values are reported
 * by Boot's own analyzer for invalid property values, with where they were set.
 */
class FoundupsDbFailureAnalyzer extends AbstractFailureAnalyzer<FoundupsDbException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, FoundupsDbException cause) {
        String action = switch (cause.errorCode()) {
            case CONFIGURATION -> "Set " + FoundupsDbAutoConfiguration.DATABASE_URL_PROPERTY + " (or the DATABASE_URL "
                    + "environment variable) to postgresql://user:password@host:5432/db, jdbc:postgresql://..., "
                    + "sqlite:///relative/path.db, sqlite:////absolute/path.db or jdbc:sqlite:/path.db; unset, the "
                    + "database is SQLite at data/foundups.db.";
            case DB_CONNECTION -> "Check that the database that " + FoundupsDbAutoConfiguration.DATABASE_URL_PROPERTY
                    + " (or DATABASE_URL) names is running and reachable, and the user and password in it.";
            case MIGRATION -> "Fix the schema problem named above. With foundups.migrate-on-open=false the application "
                    + "starts without migrating namespaces (then run NamespaceCatalog.migrate(), or `foundups-db "
                    + "migrate`).";
            default -> "See the cause above.";
        };
        return new FailureAnalysis("FoundUps DB could not open the database (" + cause.errorCode() + "): "
                + cause.getMessage(), action, cause);
    }
}
