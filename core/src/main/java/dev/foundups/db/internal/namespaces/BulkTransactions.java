package dev.foundups.db.internal.namespaces;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import org.jooq.DSLContext;

import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/**
 * How work over many namespaces runs its transactions, one per namespace: several at once on PostgreSQL, each
 * committed without waiting for the disk, and all made durable by one synchronous commit at the end.
 *
 * <p>What differs by dialect (how many at once, asynchronous commits) is the dialect strategy's.
 */
final class BulkTransactions {

    private final DSLContext shared;
    private final DialectStrategy strategy;
    private final int parallelism;

    /**
     * @param shared      the unmapped context on the database
     * @param strategy    what the database's dialect does differently
     * @param parallelism how many connections bulk work may use at once (SQLite has one writer: parallel
     *                    transactions would only queue for it)
     */
    BulkTransactions(DSLContext shared, DialectStrategy strategy, int parallelism) {
        this.shared = shared;
        this.strategy = strategy;
        this.parallelism = strategy.writeParallelism(parallelism);
    }

    /**
     * On PostgreSQL, lets a namespace's create or migrate transaction commit without waiting for its WAL flush,
     * which otherwise dominates their cost. Safe because the work is idempotent and atomic: after a server crash a
     * lost creation or migration is simply not there (catalog and tables went together) and the next call redoes
     * it; and PostgreSQL's WAL is sequential, so the next synchronous commit of any session flushes it too.
     * SQLite in WAL mode with synchronous=NORMAL does not wait for the disk on commit anyway.
     */
    void commitWithoutWaitingForDisk(DSLContext tx) {
        strategy.commitWithoutWaitingForDisk(tx);
    }

    /**
     * Waits until every earlier commit, the asynchronous ones included, is on disk.
     */
    void makeDurable() {
        strategy.makeDurable(shared);
    }

    /** Runs work over items, on up to the parallelism's threads; keeps order; rethrows the first failure. */
    <I, O> List<O> inParallel(List<I> items, Function<I, O> work) {
        List<O> results = new ArrayList<>(items.size());
        if (parallelism == 1 || items.size() < 2) {
            for (I item : items) {
                results.add(work.apply(item));
            }
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, items.size()), r -> {
            Thread t = new Thread(r, "foundups-db-namespaces");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<O>> futures = new ArrayList<>(items.size());
            for (I item : items) {
                futures.add(pool.submit(() -> work.apply(item)));
            }
            for (Future<O> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FoundupsDbException(ErrorCode.MIGRATION, "interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
