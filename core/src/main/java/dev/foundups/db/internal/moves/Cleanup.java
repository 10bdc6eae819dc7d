package dev.foundups.db.internal.moves;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.namespaces.Template;
import dev.foundups.db.internal.naming.SqlIdentifier;

/**
 * What a move removes once the target is authoritative: the subscription (on the target), then the publication,
 * the fenced tables and the catalog row (on the source). A source that cannot be reached does not fail the move:
 * the subscription is dropped without its slot, and the journal records the slot and the source's leftovers for
 * {@link Moves#dropLeftovers()}.
 */
final class Cleanup {

    private final MoveContext m;
    private final ClassLoader classLoader;
    private String orphanSlot;
    private boolean sourceLeftBehind;

    Cleanup(MoveContext context, ClassLoader classLoader) {
        this.m = context;
        this.classLoader = classLoader;
        this.orphanSlot = context.entry.orphanSlot();
    }

    /** @return the slot left on the source, or null */
    String orphanSlot() {
        return orphanSlot;
    }

    /** @return whether the source still holds the fenced tables, publication or catalog row */
    boolean sourceLeftBehind() {
        return sourceLeftBehind;
    }

    void unsubscribe(Replication replication) throws SQLException {
        String orphan = replication.unsubscribe(m.target());
        if (orphan != null) {
            orphanSlot = orphan;
            m.journal.leftovers(m.entry, orphan, true);
        }
    }

    /**
     * Cleans the source after the flip, if it can be reached.
     *
     * @param rows the rows moved if known, else -1: then counted in the fenced tables before they go
     * @return the rows moved, or -1 when unknown
     */
    long cleanSource(NamespaceKind kind, String prefix, long rows) throws SQLException {
        Connection source = m.sourceIfReachable();
        if (source == null) {
            sourceLeftBehind = true;
            m.journal.leftovers(m.entry, orphanSlot, true);
            return rows;
        }
        NamespaceTables tables = tablesOnTarget(kind);
        long moved = rows >= 0 ? rows : countFenced(source, tables);
        if (orphanSlot != null) {
            Replication.dropSlot(source, orphanSlot);
            orphanSlot = null;
        }
        removeFromSource(source, kind, m.entry.name(), prefix, tables);
        m.journal.leftovers(m.entry, null, false);
        return moved;
    }

    /** Drops the publication, and in one transaction the fenced tables and the catalog row. */
    static void removeFromSource(Connection source, NamespaceKind kind, String name, String prefix,
                                 NamespaceTables tables) throws SQLException {
        new Replication(prefix).dropPublication(source);
        Transaction.run(source, () -> {
            dropFenced(source, tables);
            NamespaceMove.deleteCatalogRow(source, kind, name);
            return null;
        });
    }

    /** Drops the copies of a namespace's tables in the fence schema, newest first (referencing tables go first). */
    static void dropFenced(Connection connection, NamespaceTables tables) throws SQLException {
        List<String> names = tables.tables();
        try (Statement st = connection.createStatement()) {
            for (int i = names.size() - 1; i >= 0; i--) {
                st.execute("DROP TABLE IF EXISTS " + SqlIdentifier.qualified(NamespaceTables.FENCE_SCHEMA,
                        names.get(i)));
            }
        }
    }

    /** @return the namespace's tables as the target's catalog and template name them (the source may be down) */
    NamespaceTables tablesOnTarget(NamespaceKind kind) throws SQLException {
        Namespaces target = m.target.namespaces(classLoader);
        NamespaceInfo info = target.find(kind, m.entry.name()).orElseThrow(() -> new FoundupsDbException(
                ErrorCode.TRANSFER, "shard '" + m.entry.target() + "' has no catalog row for " + m.entry.label()
                + " although the directory places it there"));
        Template template = target.templates().require(kind, info.template());
        return new NamespaceTables(NamespaceTables.currentSchema(m.target()),
                List.copyOf(template.tableMapping(info.tablePrefix()).values()));
    }

    private static long countFenced(Connection source, NamespaceTables tables) throws SQLException {
        if (tables.countIn(source, NamespaceTables.FENCE_SCHEMA) != tables.tables().size()) {
            return -1;
        }
        long total = 0;
        try (Statement st = source.createStatement()) {
            for (String table : tables.tables()) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM "
                        + SqlIdentifier.qualified(NamespaceTables.FENCE_SCHEMA, table))) {
                    rs.next();
                    total += rs.getLong(1);
                }
            }
        }
        return total;
    }
}
