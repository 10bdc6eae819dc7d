/**
 * Namespaces: the catalog, templates rendered per dialect, provisioning and template upgrades.
 * Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.namespaces;
