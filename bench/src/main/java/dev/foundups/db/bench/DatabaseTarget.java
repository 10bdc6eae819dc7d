package dev.foundups.db.bench;

/**
 * Where each run of a system gets a fresh, empty database: a SQLite file, or a new database on the embedded
 * PostgreSQL server.
 */
interface DatabaseTarget {

    /** @return {@code sqlite} or {@code pg}, the suffix of the system names that use this target */
    String label();

    boolean isSqlite();

    /**
     * @return the JDBC URL of a new, empty database, credentials included
     * @throws Exception when it cannot be made
     */
    String create() throws Exception;

    /**
     * Removes a database {@link #create()} made.
     *
     * @param jdbcUrl its URL
     * @throws Exception when it cannot be removed
     */
    void drop(String jdbcUrl) throws Exception;
}
