/**
 * What differs between the database products: {@link dev.foundups.db.internal.dialect.DialectStrategy}, one
 * implementation per dialect. The rest of the library asks the strategy instead of branching on the dialect.
 * Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.dialect;
