/**
 * Copying a whole FoundUps DB to another database, such as from SQLite to PostgreSQL: {@link
 * dev.foundups.db.copy.DatabaseCopy} is the entry point; its report and listener are the rest of the public
 * API. The other classes of this package are its machinery and may change.
 */
package dev.foundups.db.copy;
