/**
 * Naming: the rule for module names and FoundUp ids, and the render mapping from generated template tables to a
 * namespace's physical tables. Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.naming;
