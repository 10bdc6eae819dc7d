package dev.foundups.db.internal.namespaces;

import org.jooq.ConnectionProvider;

import dev.foundups.db.NamespaceKind;

/**
 * Where a namespace's context borrows its connections when that is not the database's own pool: on a sharded
 * database, from whichever shard the namespace is placed on at the moment of each borrow, so a context kept by
 * module code follows its namespace when it moves.
 */
@FunctionalInterface
public interface ContextConnections {

    /**
     * @param kind module or FoundUp
     * @param name its name, already validated
     * @return the provider of the namespace's context; asked once, when the context is built
     */
    ConnectionProvider provider(NamespaceKind kind, String name);
}
