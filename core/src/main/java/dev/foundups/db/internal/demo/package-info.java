/** The README's demo: the protocol's usage examples, run against the configured database. Internal. */
package dev.foundups.db.internal.demo;
