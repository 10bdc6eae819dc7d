/**
 * Configuration: parsing {@code DATABASE_URL}, opening the connection pool with each dialect's settings, and the
 * jOOQ settings of the library's contexts.
 * Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.config;
