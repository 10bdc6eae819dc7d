/**
 * Online backup and restore: SQLite's backup API on a consistent snapshot, or PostgreSQL's {@code pg_dump} and
 * {@code pg_restore}. Used by {@link dev.foundups.db.FoundupsDb}. Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.backup;
