package dev.foundups.db;

/**
 * The database products FoundUps DB runs on. Chosen by {@code DATABASE_URL}, never by code: the same jar and the
 * same module code run on both.
 */
public enum Dialect {
    /** One file in WAL mode: the protocol's starting point. */
    SQLITE,
    /** The protocol's scaling path. */
    POSTGRESQL
}
