package dev.foundups.db;

import java.util.List;
import java.util.Optional;

/**
 * A shard as it is now (see {@link Shards#status()}): whether it can be reached, and the catalog rows of the
 * namespaces placed on it.
 *
 * @param shard      the shard as the directory records it
 * @param error      why it could not be reached or read; empty when it was
 * @param namespaces its namespaces, dropped ones included; empty when it could not be read
 * @param pending    those a migration would change: behind their template, or failed
 */
public record ShardStatus(ShardInfo shard, Optional<String> error, List<NamespaceInfo> namespaces,
                          List<NamespaceInfo> pending) {

    /** Copies the lists. */
    public ShardStatus {
        namespaces = List.copyOf(namespaces);
        pending = List.copyOf(pending);
    }

    /** @return whether the shard was reached and read */
    public boolean reachable() {
        return error.isEmpty();
    }
}
