/**
 * Benchmarks of FoundUps DB: the WSP 78 workload ({@code shared/peers/WORKLOAD.md}) run side by side on the typed
 * API, on raw JDBC and on the protocol's reference design ({@link dev.foundups.db.bench.Main}), and JMH micro
 * benchmarks that explain its figures ({@code dev.foundups.db.bench.jmh}). Not a library: nothing depends on it.
 */
package dev.foundups.db.bench;
