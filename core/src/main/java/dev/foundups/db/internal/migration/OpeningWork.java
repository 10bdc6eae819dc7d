package dev.foundups.db.internal.migration;

import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of opening a database that needs no connection, started on a thread of its own while the opening
 * thread connects: on SQLite the first connection parses the whole schema (a second at 10,000 namespaces), and a
 * fresh process spends about as long loading and initialising the library's classes. Done side by side, the two
 * cost the longer of them rather than their sum.
 *
 * <p>It reads the changelog files once for the whole opening (the shared schema's check and the template registry
 * both use them) and initialises jOOQ's rendering and binding by rendering a catalog query on a context without a
 * connection. Nothing it does is needed for correctness: when it fails, whoever needs the files reads them, and
 * classes load when first used.
 */
public final class OpeningWork {

    private static final Logger LOG = LoggerFactory.getLogger(OpeningWork.class);

    private final CompletableFuture<Optional<SchemaFiles>> files;

    private OpeningWork(CompletableFuture<Optional<SchemaFiles>> files) {
        this.files = files;
    }

    /**
     * Starts the work on a daemon thread.
     *
     * @param loader   where the changelogs are
     * @param dialect  the database's jOOQ dialect
     * @param settings the settings its contexts use
     * @return the work under way
     */
    public static OpeningWork start(ClassLoader loader, SQLDialect dialect, Settings settings) {
        CompletableFuture<Optional<SchemaFiles>> files = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                files.complete(SchemaFiles.scan(loader));
            } catch (RuntimeException | Error e) {
                files.completeExceptionally(e);
            }
            try {
                DSLContext dsl = DSL.using(dialect, settings);
                var query = dsl.selectFrom(FOUNDUPSDB_NAMESPACES)
                        .where(FOUNDUPSDB_NAMESPACES.KIND.eq(DSL.param("kind", FOUNDUPSDB_NAMESPACES.KIND)))
                        .and(FOUNDUPSDB_NAMESPACES.NAME.eq(DSL.param("name", FOUNDUPSDB_NAMESPACES.NAME)));
                dsl.render(query);
                dsl.renderNamedParams(query);
            } catch (RuntimeException | Error e) {
                LOG.debug("Warming jOOQ up while connecting failed; it warms up on first use instead", e);
            }
        }, "foundups-db-opening");
        thread.setDaemon(true);
        thread.start();
        return new OpeningWork(files);
    }

    /**
     * @return the changelog files, as {@link SchemaFiles#scan} reads them; waits for the read to finish
     */
    public Optional<SchemaFiles> schemaFiles() {
        try {
            return files.join();
        } catch (RuntimeException e) {
            return Optional.empty(); // as for files that cannot be listed: the callers take their full path
        }
    }
}
