package dev.foundups.db.internal.namespaces;

import java.util.function.Supplier;

import org.jooq.DSLContext;

import dev.foundups.db.NamespaceKind;

/**
 * The locks of namespace work. Three locks, always taken in this order and never the other way round:
 *
 * <ol>
 *   <li><b>The migration lock</b> ({@link dev.foundups.db.internal.migration.MigrationLock}; a file lock on SQLite,
 *   an advisory lock on PostgreSQL): across processes, schema changes that span namespaces or move their objects.
 *   The caller holds it around {@link TemplateMigration#migrate}; {@link NamespaceRename} takes it itself. Creating
 *   and dropping one namespace do not take it: each is one transaction, and the catalog's unique key on kind and
 *   name decides between two processes creating the same name.</li>
 *   <li><b>The name's stripe</b> (one of 64 monitors, by kind and name; {@link #stripe}): in this process, every
 *   change to one name and to its cached context: creating, dropping, upgrading and renaming it, building, caching
 *   and evicting its {@link NamespaceContexts context}. Two names may share a stripe, which only costs waiting. Work
 *   on two names (a rename) takes both stripes through {@link #underBoth}, lower index first.</li>
 *   <li><b>The namespace's transaction and its catalog row's lock</b>: a change to one namespace is one
 *   transaction (on SQLite it begins IMMEDIATE, behind the JVM's write gate, and holds the file's write lock until
 *   it ends). A change that depends on what the catalog row says (an upgrade's version, a rename's source and
 *   target) reads the row with {@link CatalogRows#lockedRow}, locked until commit, so another process that got there first
 *   is seen, not overwritten.</li>
 * </ol>
 *
 * <p>Nothing that holds a stripe or a transaction waits for the migration lock, and nothing inside a transaction
 * takes a stripe: so no two of them can wait for each other. Reads of the catalog outside a transaction (finding,
 * listing, planning) take no lock; work that depends on them reads again under the locks above, or cannot harm
 * by running twice (a drop). Recording template changes ({@link TemplateChanges}) takes none either: its insert
 * ignores rows another process recorded at the same moment.
 */
final class NamespaceLocks {

    private final Object[] stripes = new Object[64];

    NamespaceLocks() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    /**
     * @param kind module or FoundUp
     * @param name its name
     * @return the monitor to synchronise on while changing this name or its cached context
     */
    Object stripe(NamespaceKind kind, String name) {
        return stripe(key(kind, name));
    }

    /**
     * @param key a name's {@link #key}
     * @return the monitor of that name, as {@link #stripe(NamespaceKind, String)}
     */
    Object stripe(String key) {
        return stripes[stripeIndex(key)];
    }

    /** Runs work holding the stripes of two names of one kind, always in the same order. */
    <T> T underBoth(NamespaceKind kind, String a, String b, Supplier<T> work) {
        int first = stripeIndex(key(kind, a));
        int second = stripeIndex(key(kind, b));
        synchronized (stripes[Math.min(first, second)]) {
            synchronized (stripes[Math.max(first, second)]) {
                return work.get();
            }
        }
    }

    /** A name's identity in this package: {@code kind:name}. */
    static String key(NamespaceKind kind, String name) {
        return kind.catalogValue() + ":" + name;
    }

    private int stripeIndex(String key) {
        return Math.floorMod(key.hashCode(), stripes.length);
    }
}
