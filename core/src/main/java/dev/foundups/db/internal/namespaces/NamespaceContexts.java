package dev.foundups.db.internal.namespaces;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jooq.DSLContext;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.internal.naming.NamespaceName;
import dev.foundups.db.internal.naming.TableNamer;
import dev.foundups.db.internal.sqlite.WriteDiscipline;

/**
 * One long-lived, table-mapped {@link DSLContext} per namespace, made on first use (creating the namespace when it
 * does not exist) and cached: jOOQ caches its render mapping per configuration. A context is built, cached and
 * evicted only under its name's stripe ({@link NamespaceLocks}).
 */
final class NamespaceContexts {

    private final NamespaceParts parts;
    private final Map<String, DSLContext> contexts = new ConcurrentHashMap<>();

    NamespaceContexts(NamespaceParts parts) {
        this.parts = parts;
    }

    /**
     * The context of a namespace, creating it through {@code provisioning} on first use.
     *
     * @see Namespaces#context
     */
    DSLContext context(NamespaceKind kind, String name, String template, Provisioning provisioning) {
        DSLContext cached = contexts.get(NamespaceLocks.key(kind, name));
        if (cached != null) {
            return cached;
        }
        Template t = parts.templates().require(kind, template);
        NamespaceName.validate(kind, name, t.maxNameLength());
        parts.changes().ensureRecorded(t);
        synchronized (parts.locks().stripe(kind, name)) {
            cached = contexts.get(NamespaceLocks.key(kind, name));
            if (cached != null) {
                return cached;
            }
            // Look before creating: an existing namespace costs one read, not a write transaction (on SQLite the
            // write lock, and the first write's connection). Except on SQLite once this process writes: a read
            // there takes a reader connection, which re-parses the whole schema after each namespace's DDL, while
            // the insert-or-find of provision runs on the writer's connection, whose schema is current.
            // On PostgreSQL likewise once this process has created a namespace: the look-up is one more round trip
            // before each new one.
            boolean writing = WriteDiscipline.of(parts.shared().configuration()).map(WriteDiscipline::writerOpen)
                    .orElse(provisioning.provisionedHere());
            NamespaceInfo info = (writing ? Optional.<NamespaceInfo>empty() : parts.rows().find(kind, name))
                    .filter(n -> n.state() != NamespaceState.DROPPED)
                    .orElseGet(() -> provisioning.provision(kind, name, t, false));
            if (info.state() == NamespaceState.FAILED) {
                throw new FoundupsDbException(ErrorCode.MIGRATION, kind.describeName() + " '" + name + "' is marked "
                        + "failed because a template change could not be applied (" + info.lastError() + "); fix the "
                        + "cause and run the migration again");
            }
            Settings settings = TableNamer.mapped(parts.shared().settings(), t.tableMapping(info.tablePrefix()));
            DSLContext context = DSL.using(parts.shared().configuration().derive(settings));
            contexts.put(NamespaceLocks.key(kind, name), context);
            return context;
        }
    }

    /** Forgets a name's context; the caller holds the name's stripe. */
    void evict(NamespaceKind kind, String name) {
        contexts.remove(NamespaceLocks.key(kind, name));
    }
}
