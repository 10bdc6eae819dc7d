package dev.foundups.db.internal.moves;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.moves.MoveJournal.Entry;
import dev.foundups.db.internal.namespaces.Namespaces;
import dev.foundups.db.internal.namespaces.Template;
import dev.foundups.db.internal.naming.NamespaceName;

/**
 * What finished moves left on sources that were down during their cleanup, dropped once those sources answer: the
 * replication slot (it keeps WAL on the source until dropped), and the publication, fenced tables and catalog row.
 * A name whose placement has come back to that shard since keeps its live catalog row: only the stale fenced copy
 * goes. A name with an unfinished move, or whose move lock another process holds, is left for later.
 */
final class Leftovers {

    private final MoveJournal journal;
    private final Moves.Directory directory;
    private final ClassLoader classLoader;

    Leftovers(MoveJournal journal, Moves.Directory directory, ClassLoader classLoader) {
        this.journal = journal;
        this.directory = directory;
        this.classLoader = classLoader;
    }

    /** @return one line per move whose leftovers remain */
    List<String> drop() {
        List<String> remaining = new ArrayList<>();
        for (Entry entry : journal.withLeftovers()) {
            if (journal.unfinished(entry.kind(), entry.name()).isPresent()) {
                remaining.add(describe(entry, "a move of the same name is unfinished"));
                continue;
            }
            try (MoveJournal.Lock lock = journal.lock(entry.kind(), entry.name());
                 ShardEndpoint source = ShardEndpoint.of(directory, entry.source())) {
                Connection connection = source.tryConnect();
                if (connection == null) {
                    remaining.add(describe(entry, "shard '" + entry.source() + "' cannot be reached"));
                    continue;
                }
                try (connection) {
                    drop(entry, connection, source);
                }
                journal.leftovers(entry, null, false);
            } catch (SQLException | FoundupsDbException e) {
                remaining.add(describe(entry, DatabaseUrl.mask(String.valueOf(e.getMessage()))));
            }
        }
        return remaining;
    }

    private void drop(Entry entry, Connection connection, ShardEndpoint source) throws SQLException {
        if (entry.orphanSlot() != null) {
            Replication.dropSlot(connection, entry.orphanSlot());
        }
        if (!entry.sourceCleanup() || Moves.AGENT.equals(entry.kind())) {
            return;
        }
        NamespaceKind kind = NamespaceKind.valueOf(entry.kind());
        String prefix = NamespaceName.tablePrefix(kind, entry.name());
        Namespaces namespaces = source.namespaces(classLoader);
        NamespaceInfo info = namespaces.find(kind, entry.name()).filter(n -> n.state() != NamespaceState.DROPPED)
                .orElse(null);
        if (info == null) {
            new Replication(prefix).dropPublication(connection);
            return; // nothing else of it there
        }
        Template template = namespaces.templates().require(kind, info.template());
        NamespaceTables tables = new NamespaceTables(NamespaceTables.currentSchema(connection),
                List.copyOf(template.tableMapping(info.tablePrefix()).values()));
        Moves.Placement placement = directory.placement(entry.kind(), entry.name());
        if (placement != null && placement.shard().equals(entry.source())) {
            new Replication(prefix).dropPublication(connection);
            Cleanup.dropFenced(connection, tables); // it lives here again: its catalog row is live
        } else {
            Cleanup.removeFromSource(connection, kind, entry.name(), prefix, tables);
        }
    }

    private static String describe(Entry entry, String why) {
        List<String> left = new ArrayList<>();
        if (entry.orphanSlot() != null) {
            left.add("replication slot " + entry.orphanSlot() + " (it keeps WAL)");
        }
        if (entry.sourceCleanup()) {
            left.add("the moved tables, publication and catalog row");
        }
        return entry.label() + " (moved from '" + entry.source() + "' to '" + entry.target() + "'): "
                + String.join(" and ", left) + " still on the source; " + why;
    }
}
