package dev.foundups.db.bench;

/** An in-JVM system's fresh database, open for one run: its ops, and closing removes the database. */
interface Session extends Operations, AutoCloseable {

    /** What closing a session does once its connections are closed: removing the database. */
    @FunctionalInterface
    interface Cleanup {
        void run() throws Exception;
    }
}
