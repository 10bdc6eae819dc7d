/**
 * Compiled statements: a typed jOOQ query of a namespace, rendered once and then run many times with new values on
 * a JDBC statement that each pooled connection keeps. The fast path for a module's fixed statements; the library's
 * own API ({@code ChatRules}, {@code AgentMemory}) uses it. {@link dev.foundups.db.statements.CompiledQuery} is the
 * public entry point.
 */
package dev.foundups.db.statements;
