/** The README's demo: the protocol's usage examples, run against the configured database. */
package dev.foundups.db.internal.demo;
