/**
 * Read replicas: which server a statement goes to. Writes, DDL and transactions go to the primary through the
 * writer pool; reads outside a transaction go to a standby that has replayed far enough (read-your-writes, measured
 * in WAL positions), else to the primary. A background poller tracks each node's role and replay position, so a read
 * costs no extra round trip. Installed by the dialect strategy (PostgreSQL only). Internal: no compatibility
 * guarantee.
 */
package dev.foundups.db.internal.routing;
