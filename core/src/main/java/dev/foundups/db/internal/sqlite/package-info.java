/**
 * SQLite in production: one writer at a time inside the JVM, a WAL that stays in bounds, and a clean shutdown.
 * Installed by {@link dev.foundups.db.FoundupsDb} on SQLite only. Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.sqlite;
