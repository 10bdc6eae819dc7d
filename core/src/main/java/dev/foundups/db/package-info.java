/**
 * FoundUps DB, the WSP 78 data layer: one database, three namespaces. Start at {@link dev.foundups.db.FoundupsDb}.
 *
 * <p>This package is the public API. The other packages hold the machinery behind it and carry no compatibility
 * guarantee; {@code dev.foundups.db.jooq} holds the classes generated from the changelogs.
 */
package dev.foundups.db;
