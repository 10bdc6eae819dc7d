package dev.foundups.db.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NamespaceInfo;
import dev.foundups.db.NamespaceState;
import dev.foundups.db.ShardInfo;
import dev.foundups.db.ShardStatus;
import dev.foundups.db.NodeStatus;
import dev.foundups.db.ReplicationStatus;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.Dialect;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code status}: what the database is and holds, without changing it. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show what the database is and holds; changes nothing.",
            "Dialect, location and size, namespaces by kind and state, tables and row counts, and pending",
            "template changes. With read replicas (a multi-host URL, DATABASE_REPLICA_URLS or --replica):",
            "every server with its role, health, WAL position, replay lag (bytes and time) and pool, and the",
            "last failover. Sharded: every shard with its state, reachability, namespaces and pending changes",
            "(exits 3 when a shard cannot be reached)."})
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    FoundupsDbCli root;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print JSON for scripts")
    boolean json;

    @Option(names = "--tables", description = "count the rows of every table, not only the shared ones")
    boolean allTables;

    /** What the report holds. */
    record Report(String dialect, String url, Long sizeBytes, boolean initialised, Map<String, Integer> namespaces,
                  int pending, List<TableCount> tables, Optional<ReplicationStatus> replication,
                  List<ShardStatus> shards) {
    }

    /** A table and its row count (null when not counted). */
    record TableCount(String name, Long rows) {
    }

    @Override
    public Integer call() throws Exception {
        DatabaseUrl url = root.resolveUrl();
        if (!url.strategy().exists(url)) {
            throw new FoundupsDbCli.CommandFailure(1, "there is no database at " + url.sqlitePath().get()
                    + ": run 'foundups-db init' to create it");
        }
        try (FoundupsDb db = root.open(b -> b.schemaChangesOnOpen(false))) {
            Report report = report(db);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                printJson(out, report);
            } else {
                printText(out, report);
            }
            List<String> unreachable = report.shards().stream().filter(s -> !s.reachable())
                    .map(s -> s.shard().name()).toList();
            if (!unreachable.isEmpty()) {
                throw new FoundupsDbCli.CommandFailure(3, "cannot reach shard(s) " + String.join(", ", unreachable)
                        + "; their namespaces are not counted above");
            }
            return 0;
        }
    }

    private Report report(FoundupsDb db) throws IOException {
        DSLContext dsl = db.dsl();
        List<String> tables = db.tableNames();
        boolean initialised = tables.contains("foundupsdb_namespaces");
        Map<String, Integer> byKind = new TreeMap<>();
        int pending = 0;
        List<ShardStatus> shards = initialised ? db.shards().status() : List.of();
        if (initialised) {
            // Sharded: what the reachable shards hold (an unreachable one is reported, not fatal).
            List<NamespaceInfo> all = shards.isEmpty() ? db.catalog().list()
                    : shards.stream().flatMap(s -> s.namespaces().stream()).toList();
            for (NamespaceInfo n : all) {
                byKind.merge(n.kind().catalogValue() + " " + n.state().catalogValue(), 1, Integer::sum);
            }
            pending = shards.isEmpty() ? db.catalog().pending().size()
                    : shards.stream().mapToInt(s -> s.pending().size()).sum();
        }
        List<TableCount> counts = new ArrayList<>();
        for (String table : tables) {
            boolean shared = table.startsWith("agents_") || table.startsWith("foundupsdb_");
            Long rows = shared || allTables ? (long) dsl.fetchCount(DSL.table(DSL.name(table))) : null;
            counts.add(new TableCount(table, rows));
        }
        return new Report(db.dialect().name().toLowerCase(), db.url(), db.sizeBytes(), initialised, byKind,
                pending, counts, db.replication(), shards);
    }

    private static void printText(PrintWriter out, Report r) {
        out.println("dialect:    " + r.dialect());
        out.println("database:   " + r.url());
        out.println("size:       " + (r.sizeBytes() == null ? "unknown" : human(r.sizeBytes())));
        r.replication().ifPresent(replication -> printReplication(out, replication));
        if (!r.initialised()) {
            out.println("not initialised: run 'foundups-db init'");
            return;
        }
        out.println("namespaces: " + (r.namespaces().isEmpty() ? "none" : r.namespaces().toString()
                .replace("{", "").replace("}", "").replace("=", ": ")));
        out.println("pending:    " + (r.pending() == 0 ? "no template changes pending"
                : r.pending() + " namespace(s) behind their template: run 'foundups-db migrate'"));
        printShards(out, r.shards());
        out.println("tables:     " + r.tables().size() + (r.shards().isEmpty() ? "" : " (on main)"));
        for (TableCount t : r.tables()) {
            if (t.rows() != null) {
                out.printf("  %-50s %,d row(s)%n", t.name(), t.rows());
            }
        }
        long uncounted = r.tables().stream().filter(t -> t.rows() == null).count();
        if (uncounted > 0) {
            out.println("  (" + uncounted + " namespace tables not counted: add --tables)");
        }
    }

    private static void printShards(PrintWriter out, List<ShardStatus> shards) {
        if (shards.isEmpty()) {
            return;
        }
        out.println("shards:     " + shards.size());
        for (ShardStatus s : shards) {
            ShardInfo info = s.shard();
            String health = s.error().map(e -> "UNREACHABLE (" + e + ")").orElse(s.namespaces().stream()
                    .filter(n -> n.state() != NamespaceState.DROPPED).count() + " namespace(s), "
                    + s.pending().size() + " pending");
            out.printf("  %-16s %-9s %d agent(s); %s; %s%n", info.name(), info.state().name().toLowerCase(),
                    info.agents(), health, info.url());
        }
    }

    private static void printReplication(PrintWriter out, ReplicationStatus r) {
        out.printf("servers:    %d; replica reads: %s, lag limit %d ms; reads so far: %,d on replicas, %,d on the "
                + "primary (%,d to read own writes), %,d retried%n", r.nodes().size(),
                r.replicaReads().name().toLowerCase(), r.maxReplicaLag().toMillis(), r.readsOnReplicas(),
                r.readsOnPrimary(), r.readYourWritesFallbacks(), r.retriedReads());
        for (NodeStatus n : r.nodes()) {
            String position = n.walPosition().map(p -> (n.role() == NodeStatus.Role.REPLICA ? "replay " : "wal ") + p)
                    .orElse("-");
            String lag = n.role() != NodeStatus.Role.REPLICA ? "" : n.lagBytes() < 0 ? "lag ?"
                    : "lag " + human(n.lagBytes()) + ", " + n.lag().toMillis() + " ms";
            out.printf("  %-22s %-8s %-8s %-20s %-24s pool %d active, %d idle; %,d read(s)%s%n", n.name(),
                    n.role().name().toLowerCase(), n.health().name().toLowerCase(), position, lag,
                    n.activeConnections(), n.idleConnections(), n.reads(),
                    n.lastError().map(e -> " (" + e + ")").orElse(""));
        }
        r.lastFailover().ifPresent(f -> out.printf("failover:   %s: primary %s lost, writes resumed on %s after %d ms%n",
                f.lostAt(), f.fromPrimary(), f.toPrimary(), f.downtime().toMillis()));
    }

    private static void printJson(PrintWriter out, Report r) {
        NamespaceCommand.Json.write(out, g -> {
            g.writeStartObject();
            g.writeStringField("dialect", r.dialect());
            g.writeStringField("database", r.url());
            if (r.sizeBytes() != null) {
                g.writeNumberField("sizeBytes", r.sizeBytes());
            }
            if (r.replication().isPresent()) {
                ReplicationStatus rep = r.replication().get();
                g.writeObjectFieldStart("replication");
                g.writeStringField("replicaReads", rep.replicaReads().name().toLowerCase());
                g.writeNumberField("maxReplicaLagMillis", rep.maxReplicaLag().toMillis());
                g.writeNumberField("readsOnReplicas", rep.readsOnReplicas());
                g.writeNumberField("readsOnPrimary", rep.readsOnPrimary());
                g.writeNumberField("readYourWritesFallbacks", rep.readYourWritesFallbacks());
                g.writeNumberField("retriedReads", rep.retriedReads());
                g.writeArrayFieldStart("nodes");
                for (NodeStatus n : rep.nodes()) {
                    g.writeStartObject();
                    g.writeStringField("name", n.name());
                    g.writeStringField("role", n.role().name().toLowerCase());
                    g.writeStringField("health", n.health().name().toLowerCase());
                    if (n.walPosition().isPresent()) {
                        g.writeStringField("walPosition", n.walPosition().get());
                    }
                    if (n.lagBytes() >= 0) {
                        g.writeNumberField("lagBytes", n.lagBytes());
                        g.writeNumberField("lagMillis", n.lag().toMillis());
                    }
                    g.writeNumberField("activeConnections", n.activeConnections());
                    g.writeNumberField("idleConnections", n.idleConnections());
                    g.writeNumberField("reads", n.reads());
                    if (n.lastError().isPresent()) {
                        g.writeStringField("lastError", n.lastError().get());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                if (rep.lastFailover().isPresent()) {
                    ReplicationStatus.Failover f = rep.lastFailover().get();
                    g.writeObjectFieldStart("lastFailover");
                    g.writeStringField("lostAt", f.lostAt().toString());
                    g.writeNumberField("downtimeMillis", f.downtime().toMillis());
                    g.writeStringField("fromPrimary", f.fromPrimary());
                    g.writeStringField("toPrimary", f.toPrimary());
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            if (!r.shards().isEmpty()) {
                g.writeArrayFieldStart("shards");
                for (ShardStatus s : r.shards()) {
                    g.writeStartObject();
                    g.writeStringField("name", s.shard().name());
                    g.writeStringField("url", s.shard().url());
                    g.writeStringField("state", s.shard().state().name().toLowerCase());
                    g.writeBooleanField("reachable", s.reachable());
                    if (s.error().isPresent()) {
                        g.writeStringField("error", s.error().get());
                    }
                    g.writeNumberField("namespaces", s.namespaces().stream()
                            .filter(n -> n.state() != NamespaceState.DROPPED).count());
                    g.writeNumberField("pendingNamespaces", s.pending().size());
                    g.writeNumberField("agents", s.shard().agents());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeBooleanField("initialised", r.initialised());
            g.writeObjectFieldStart("namespaces");
            for (Map.Entry<String, Integer> e : r.namespaces().entrySet()) {
                g.writeNumberField(e.getKey().replace(' ', '_'), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("pendingNamespaces", r.pending());
            g.writeArrayFieldStart("tables");
            for (TableCount t : r.tables()) {
                g.writeStartObject();
                g.writeStringField("name", t.name());
                if (t.rows() != null) {
                    g.writeNumberField("rows", t.rows());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static String human(long bytes) {
        if (bytes < 1024 * 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
}
