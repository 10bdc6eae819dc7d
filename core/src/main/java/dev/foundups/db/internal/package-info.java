/**
 * The machinery behind the API: configuration, naming, namespaces, migrations, the dialect strategies, SQLite's
 * write path, backup and imports. Nothing here is exported by the module {@code dev.foundups.db}; on the class path
 * it is reachable, but it may change in any release without notice.
 */
package dev.foundups.db.internal;
