/**
 * Namespaces: the catalog, templates rendered per dialect, provisioning, template upgrades, renames and the
 * per-namespace contexts, behind the facade {@link dev.foundups.db.internal.namespaces.Namespaces}. Every type
 * follows one lock rule, written down in {@link dev.foundups.db.internal.namespaces.NamespaceLocks}.
 * Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.namespaces;
