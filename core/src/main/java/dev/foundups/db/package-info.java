/**
 * FoundUps DB, the WSP 78 data layer: one database, three namespaces. Start at {@link dev.foundups.db.FoundupsDb}.
 *
 * <p>This package is the heart of the public API; {@code dev.foundups.db.copy}, {@code dev.foundups.db.types},
 * {@code dev.foundups.db.modules.chatrules} and the generated {@code dev.foundups.db.jooq} complete it (the module
 * exports exactly these). Everything under {@code dev.foundups.db.internal} is machinery without compatibility
 * guarantee.
 */
package dev.foundups.db;
