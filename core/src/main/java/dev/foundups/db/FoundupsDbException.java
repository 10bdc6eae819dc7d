package dev.foundups.db;

/**
 * The one exception FoundUps DB throws for anything it detects itself: a bad setting, a rejected name, a database it
 * cannot reach or migrate. {@link #errorCode()} says which, so a command line can turn it into an exit code.
 *
 * <p>Messages say what was wrong and how to fix it, and never contain a password.
 */
public class FoundupsDbException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What kind of failure this is. */
    public enum ErrorCode {
        /** A setting (such as {@code DATABASE_URL}) is missing or malformed. */
        CONFIGURATION,
        /** A module name or FoundUp id breaks the naming rule. */
        INVALID_NAME,
        /** A namespace would use a table that already belongs to another namespace. */
        NAME_CONFLICT,
        /** The input data (JSON, a value) is malformed. */
        INVALID_INPUT,
        /** The database could not be reached. */
        DB_CONNECTION,
        /** A schema change (Liquibase or a template) failed, or the database does not match the changelogs. */
        MIGRATION,
        /** A write waited longer than the busy timeout for another writer; retrying later may succeed. */
        BUSY,
        /**
         * A sharded database's namespace (or agent) moved to another shard while a transaction was using it, or
         * its move took longer than {@code moveWaitTimeout}. Nothing of the failed work was written: it is safe to
         * run it again, and it then runs on the new shard. Single statements outside a transaction never get it
         * for a move that ends in time: they follow the move by themselves.
         */
        NAMESPACE_MOVED,
        /** A backup or restore failed, or was refused because it would not be safe. */
        BACKUP,
        /**
         * A copy between databases was refused (a target that holds data, a source not up to date) or could not
         * go on.
         */
        TRANSFER,
        /** Anything else the database reported. */
        DATABASE
    }

    private final ErrorCode errorCode;

    /**
     * @param errorCode what kind of failure
     * @param message   what was wrong and how to fix it
     */
    public FoundupsDbException(ErrorCode errorCode, String message) {
        super(message);
        this.errorCode = errorCode;
    }

    /**
     * @param errorCode what kind of failure
     * @param message   what was wrong and how to fix it
     * @param cause     the underlying failure
     */
    public FoundupsDbException(ErrorCode errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /** @return what kind of failure this is; never null */
    public ErrorCode errorCode() {
        return errorCode;
    }
}
