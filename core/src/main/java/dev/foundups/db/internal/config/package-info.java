/**
 * Configuration: parsing {@code DATABASE_URL} and opening the connection pool with each dialect's settings.
 * Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.config;
