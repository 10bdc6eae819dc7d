package dev.foundups.db.spring;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NodeStatus;
import dev.foundups.db.ReplicationStatus;

/**
 * The meters of a replicated PostgreSQL database, registered when it has read replicas: per server
 * {@code foundups.db.replica.lag} (seconds) and {@code foundups.db.replica.lag.bytes}, {@code foundups.db.node.up}
 * (1 when it takes reads or writes), all tagged {@code node}; and how reads were routed,
 * {@code foundups.db.reads} (tag {@code target=replica|primary}), {@code foundups.db.reads.fallbacks} (reads sent
 * to the primary because no replica had replayed their own writes) and {@code foundups.db.reads.retried}. Each
 * reads the status the library's poller last saw: no query per scrape.
 */
final class ReplicationMeters {

    private final FoundupsDb db;

    ReplicationMeters(FoundupsDb db, MeterRegistry registry) {
        this.db = db;
        db.replication().ifPresent(status -> register(status, registry));
    }

    private void register(ReplicationStatus initial, MeterRegistry registry) {
        for (NodeStatus node : initial.nodes()) {
            String name = node.name();
            Gauge.builder("foundups.db.replica.lag", this, m -> m.node(name, n -> n.lag().toNanos() / 1e9))
                    .description("How far a server's replay is behind the primary").baseUnit("seconds")
                    .tag("node", name).register(registry);
            Gauge.builder("foundups.db.replica.lag.bytes", this, m -> m.node(name, n -> n.lagBytes()))
                    .description("How far a server's replay is behind the primary, in WAL").baseUnit("bytes")
                    .tag("node", name).register(registry);
            Gauge.builder("foundups.db.node.up", this,
                            m -> m.node(name, n -> n.health() == NodeStatus.Health.UP ? 1 : 0))
                    .description("1 when the server takes reads (a replica within its lag limit) or writes")
                    .tag("node", name).register(registry);
        }
        counter(registry, "foundups.db.reads", "replica", ReplicationStatus::readsOnReplicas,
                "Typed reads outside transactions, by where they ran");
        counter(registry, "foundups.db.reads", "primary", ReplicationStatus::readsOnPrimary,
                "Typed reads outside transactions, by where they ran");
        FunctionCounter.builder("foundups.db.reads.fallbacks", this,
                        m -> m.status(ReplicationStatus::readYourWritesFallbacks))
                .description("Reads sent to the primary because no replica had replayed their own writes")
                .register(registry);
        FunctionCounter.builder("foundups.db.reads.retried", this, m -> m.status(ReplicationStatus::retriedReads))
                .description("Reads run again on another server after their replica failed").register(registry);
    }

    private void counter(MeterRegistry registry, String name, String target, ToDoubleFunction<ReplicationStatus> value,
                         String description) {
        FunctionCounter.builder(name, this, m -> m.status(value)).description(description).tag("target", target)
                .register(registry);
    }

    private double status(ToDoubleFunction<ReplicationStatus> value) {
        return db.replication().map(value::applyAsDouble).orElse(Double.NaN);
    }

    private double node(String name, ToDoubleFunction<NodeStatus> value) {
        return db.replication().flatMap(s -> s.nodes().stream().filter(n -> n.name().equals(name)).findFirst())
                .map(value::applyAsDouble).orElse(Double.NaN);
    }
}
