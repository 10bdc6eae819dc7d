/**
 * Migration: running Liquibase on the shared changelog, and the lock that serialises schema changes across
 * processes. Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.migration;
