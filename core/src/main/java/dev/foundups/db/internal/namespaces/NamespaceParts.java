package dev.foundups.db.internal.namespaces;

import org.jooq.DSLContext;

import dev.foundups.db.internal.dialect.DialectStrategy;

/**
 * What the parts of the namespaces code share, made once by {@link Namespaces}: the database, its dialect's
 * strategy, the templates, the catalog and the locks.
 *
 * @param shared    the unmapped context on the database (its settings are the base of every namespace's)
 * @param strategy  what the database's dialect does differently
 * @param templates the templates, rendered for the database's dialect
 * @param changes   the templates' recorded changesets
 * @param rows      the catalog's rows
 * @param locks     the name stripes ({@link NamespaceLocks} states the lock rule)
 * @param bulk      transactions over many namespaces
 * @param connections where namespace contexts borrow connections, or null for the shared context's pool
 */
record NamespaceParts(DSLContext shared, DialectStrategy strategy, TemplateRegistry templates,
                      TemplateChanges changes, CatalogRows rows, NamespaceLocks locks, BulkTransactions bulk,
                      ContextConnections connections) {
}
