/**
 * JSON documents: checked before they are stored (errors name line and column) and kept in one compact form.
 * Internal: no compatibility guarantee.
 */
package dev.foundups.db.internal.json;
