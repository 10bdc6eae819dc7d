/**
 * What differs between the database products: {@link dev.foundups.db.internal.dialect.DialectStrategy}, one
 * implementation per dialect, with the {@link dev.foundups.db.internal.dialect.TableObjects} it hands out for
 * renaming a namespace's objects. The rest of the library asks the strategy instead of branching on the dialect.
 * Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.dialect;
