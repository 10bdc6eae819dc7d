/**
 * JMH micro benchmarks, each explaining a figure of the workload run: what rendering a query through the table
 * mapping costs, a cached against a freshly built context, and a point read through jOOQ against JDBC. Run them
 * with {@code bench/run --jmh}.
 */
package dev.foundups.db.bench.jmh;
