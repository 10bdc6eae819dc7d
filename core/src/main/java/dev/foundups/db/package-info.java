/**
 * FoundUps DB, the WSP 78 data layer: one database, three namespaces. Start at {@link dev.foundups.db.FoundupsDb}.
 *
 * <p>This package is the heart of the public API, with {@code dev.foundups.db.copy},
 * {@code dev.foundups.db.modules.chatrules}, {@code dev.foundups.db.types} and the classes generated from the
 * changelogs in {@code dev.foundups.db.jooq} (docs/API.md lists every type). Everything under
 * {@code dev.foundups.db.internal} is machinery and may change in any release.
 */
package dev.foundups.db;
