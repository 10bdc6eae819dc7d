package dev.foundups.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import javax.sql.DataSource;

import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.exception.DataAccessException;
import org.jooq.exception.NoDataFoundException;
import org.jooq.exception.TooManyRowsException;
import org.jooq.impl.DataSourceConnectionProvider;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.internal.namespaces.TemplateRendering;
import dev.foundups.db.internal.routing.Router;
import dev.foundups.db.internal.sharding.PlacedDataSource;
import dev.foundups.db.internal.sqlite.WriteDiscipline;

/**
 * A typed query of one namespace, rendered once and run many times with new values: the fast path for a module's
 * fixed statements.
 *
 * <p>Every query run through a context is built, rendered through the table mapping, and prepared anew on each
 * call; for a short statement that costs more than the database's own work (see docs/BENCHMARKS.md). A compiled
 * query renders once, when it is compiled; each connection of the pool keeps its JDBC statement and reuses it;
 * a call only binds the new values, runs, and reads the rows into the generated record classes.
 *
 * <pre>
 * Param&lt;String&gt; id = DSL.param("id", CHAT_RULES_MODERATORS.ID);
 * CompiledQuery&lt;ChatRulesModeratorsRecord&gt; byId = CompiledQuery.of(module.dsl(),
 *         module.dsl().selectFrom(CHAT_RULES_MODERATORS).where(CHAT_RULES_MODERATORS.ID.eq(id)));
 * Optional&lt;ChatRulesModeratorsRecord&gt; mod = byId.fetchOptional("mod123");   // thread-safe; keep it
 * </pre>
 *
 * <p>The values a call passes fill the query's named parameters ({@code DSL.param(name, field)}), in the order in
 * which they first appear in the SQL; every other value in the query is a constant of the compiled query.
 * Compile once and keep the object: compiling renders the query. It is thread-safe.
 *
 * <p>It behaves as the same query run through its context would, with two exceptions. It runs on its own
 * connection in autocommit mode, never inside a transaction (on SQLite, a write from a thread inside a write
 * transaction fails with BUSY, as a write on a namespace context does). And it bypasses jOOQ's execution: execute
 * listeners, logging and jOOQ's exception translation do not see it; a failure is a {@link DataAccessException}
 * whose cause is the driver's {@link SQLException}. Writes on SQLite follow the database's write discipline (one
 * writer at a time, the WAL kept in bounds) as every other write does. The values and columns it carries are those
 * of the generated classes: String, numbers, Boolean, byte[], JSON and Instant; anything else is refused when it
 * is compiled.
 *
 * @param <R> the type of its result rows ({@link Record} for a statement without any)
 */
public final class CompiledQuery<R extends Record> {

    /** Configuration data key of the database's {@link StatementCaches}. */
    private static final String CACHES = StatementCaches.class.getName();

    private final String sql;
    private final DialectStrategy strategy;
    private final DataSource dataSource;
    /** On SQLite, the write discipline every write follows; null for a select or on PostgreSQL. */
    private final WriteDiscipline writes;
    /** Read replicas: reads to a standby, writes counted for read-your-writes; null on one server. */
    private final Router router;
    /** A namespace of a sharded database: its current shard, following a move; null otherwise. */
    private final PlacedDataSource placed;
    private final StatementCaches caches;
    private final Configuration configuration;
    private final QueryShape shape;
    /** The shape's row reader, typed; null for a statement that returns no rows. */
    private final RowReader<R> rows;

    private CompiledQuery(DSLContext dsl, Query query) {
        this(dsl, query, null);
    }

    /** @param rendered the query rendered for this context already, or null to render it here */
    CompiledQuery(DSLContext dsl, Query query, RenderedSql rendered) {
        this(dsl, rendered != null ? rendered : RenderedSql.of(dsl, query), query);
    }

    private CompiledQuery(DSLContext dsl, RenderedSql rendered, Query query) {
        this(dsl, rendered.sql(), new QueryShape(dsl.configuration(), query, rendered));
    }

    /** The query of a shape, with its SQL, on a context: where it runs, and on which connections. */
    @SuppressWarnings("unchecked")
    private CompiledQuery(DSLContext dsl, String sql, QueryShape shape) {
        this.configuration = dsl.configuration();
        if (!(configuration.connectionProvider() instanceof DataSourceConnectionProvider provider)) {
            throw new IllegalArgumentException("cannot compile a query on this context: compile on a context of a "
                    + "FoundupsDb (db.dsl(), a module's or a FoundUp's dsl()), not on a transaction's");
        }
        this.caches = (StatementCaches) configuration.data(CACHES);
        if (caches == null) {
            throw new IllegalArgumentException("cannot compile a query on this context: it does not belong to an "
                    + "open FoundupsDb");
        }
        this.sql = sql;
        this.shape = shape;
        this.rows = (RowReader<R>) shape.rows;
        this.dataSource = provider.dataSource();
        // A value binding, like jOOQ's own, follows the dialect of the configuration it runs on (the generated
        // Instant columns are text on SQLite).
        this.strategy = DialectStrategy.of(configuration.dialect());
        this.writes = shape.select ? null : WriteDiscipline.of(configuration).orElse(null);
        this.router = Router.of(configuration).orElse(null);
        this.placed = dataSource instanceof PlacedDataSource p ? p : null;
    }

    /**
     * @param dsl a namespace's context
     * @param sql this query's SQL with that namespace's table names
     * @return this query of a template, for one of its namespaces: the same shape, that SQL and that context
     */
    CompiledQuery<R> forNamespace(DSLContext dsl, String sql) {
        return new CompiledQuery<>(dsl, sql, shape);
    }

    /**
     * Compiles a query that returns rows: a select, or a write with {@code RETURNING}.
     *
     * @param dsl   the context the query belongs to: {@code db.dsl()}, a module's or a FoundUp's
     * @param query the query, with {@code DSL.param(name, ...)} where each call's values go
     * @param <R>   its row type
     * @return the compiled query; keep it
     * @throws IllegalArgumentException when the context is not a FoundupsDb's, or the query carries a type that
     *                                  compiled queries do not bind
     */
    public static <R extends Record> CompiledQuery<R> of(DSLContext dsl, ResultQuery<R> query) {
        return new CompiledQuery<>(dsl, query);
    }

    /**
     * Compiles a statement that returns no rows: an insert, update or delete.
     *
     * @param dsl   the context the query belongs to
     * @param query the statement, with {@code DSL.param(name, ...)} where each call's values go
     * @return the compiled statement; keep it
     * @throws IllegalArgumentException as {@link #of(DSLContext, ResultQuery)}
     */
    public static CompiledQuery<Record> of(DSLContext dsl, Query query) {
        return new CompiledQuery<>(dsl, query);
    }

    /**
     * The compiled query this context keeps under a key, compiled on its first use. For classes made anew on each
     * call, such as {@code db.foundUp(id)}, which cannot keep their own: a namespace's context lives as long as the
     * database, and so do the queries it keeps.
     *
     * @param dsl   a namespace's context
     * @param key   names the query among those the context keeps, such as {@code "FoundUp.user"}
     * @param query builds the query on the context; called once
     * @param <R>   its row type
     * @return the compiled query
     */
    @SuppressWarnings("unchecked")
    public static <R extends Record> CompiledQuery<R> cached(DSLContext dsl, String key,
                                                             Function<DSLContext, ResultQuery<R>> query) {
        return (CompiledQuery<R>) KeptQueries.kept(dsl, key, () -> of(dsl, query.apply(dsl)));
    }

    /**
     * {@link #cached(DSLContext, String, Function)} for a statement that returns no rows.
     *
     * @param dsl   a namespace's context
     * @param key   names the statement among those the context keeps
     * @param query builds the statement on the context; called once
     * @return the compiled statement
     */
    @SuppressWarnings("unchecked")
    public static CompiledQuery<Record> cachedStatement(DSLContext dsl, String key,
                                                        Function<DSLContext, Query> query) {
        return (CompiledQuery<Record>) KeptQueries.kept(dsl, key, () -> of(dsl, query.apply(dsl)));
    }

    /**
     * {@link #cached(DSLContext, String, Function)} for the library's own statements of a namespace, whose builder
     * depends on nothing but the context it is given: rendered once per template, not once per namespace (see
     * {@link TemplateRendering}). Elsewhere the same as {@code cached}.
     */
    @SuppressWarnings("unchecked")
    static <R extends Record> CompiledQuery<R> template(DSLContext dsl, String key,
                                                        Function<DSLContext, ResultQuery<R>> query) {
        return (CompiledQuery<R>) KeptQueries.templated(dsl, key, query);
    }

    /** {@link #template} for a statement that returns no rows. */
    @SuppressWarnings("unchecked")
    static CompiledQuery<Record> templateStatement(DSLContext dsl, String key, Function<DSLContext, Query> query) {
        return (CompiledQuery<Record>) KeptQueries.templated(dsl, key, query);
    }

    /**
     * Makes the contexts of a database's configuration able to compile queries. Called by {@code FoundupsDb} when
     * it opens, before any context derives from the configuration.
     *
     * @param configuration the database's base configuration
     */
    static void enable(Configuration configuration) {
        configuration.data(CACHES, new StatementCaches());
    }

    /** @return the SQL it runs, with {@code ?} placeholders */
    public String sql() {
        return sql;
    }

    /** @return the names of the values each call passes, in order */
    public List<String> parameters() {
        return shape.arguments.names();
    }

    /**
     * Runs it.
     *
     * @param values the parameters' values, in the order of {@link #parameters()}
     * @return the number of rows it changed, or, for a query returning rows, the number returned
     * @throws IllegalArgumentException when the values do not fit the parameters
     * @throws DataAccessException      when the database refuses it
     */
    public int execute(Object... values) {
        return run(values, cached -> {
            PreparedStatement statement = cached.statement;
            if (rows == null) {
                return statement.executeUpdate();
            }
            int rows = 0;
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    rows++;
                }
            }
            return rows;
        });
    }

    /**
     * @param values the parameters' values, in the order of {@link #parameters()}
     * @return every row, in the order the database returned them
     * @throws IllegalArgumentException when the values do not fit the parameters
     * @throws DataAccessException      when the database refuses it
     */
    public List<R> fetch(Object... values) {
        return run(values, cached -> {
            List<R> fetched = new ArrayList<>();
            try (ResultSet rs = cached.statement.executeQuery()) {
                int[] columns = rows.columns(cached, rs, sql);
                while (rs.next()) {
                    fetched.add(rows.record(rs, columns, configuration, strategy));
                }
            }
            return fetched;
        });
    }

    /**
     * @param values the parameters' values, in the order of {@link #parameters()}
     * @return the one row, or empty when there is none
     * @throws TooManyRowsException     when there is more than one
     * @throws IllegalArgumentException when the values do not fit the parameters
     * @throws DataAccessException      when the database refuses it
     */
    public Optional<R> fetchOptional(Object... values) {
        return Optional.ofNullable(run(values, this::atMostOne));
    }

    /**
     * @param values the parameters' values, in the order of {@link #parameters()}
     * @return the one row
     * @throws NoDataFoundException     when there is none
     * @throws TooManyRowsException     when there is more than one
     * @throws IllegalArgumentException when the values do not fit the parameters
     * @throws DataAccessException      when the database refuses it
     */
    public R fetchSingle(Object... values) {
        R row = run(values, this::atMostOne);
        if (row == null) {
            throw new NoDataFoundException("no row: " + sql);
        }
        return row;
    }

    private R atMostOne(StatementCaches.Cached cached) throws SQLException {
        try (ResultSet rs = cached.statement.executeQuery()) {
            int[] columns = rows.columns(cached, rs, sql);
            if (!rs.next()) {
                return null;
            }
            R row = rows.record(rs, columns, configuration, strategy);
            // Stepping to the end also finishes a write's statement, which on SQLite runs its WAL hook.
            if (rs.next()) {
                throw new TooManyRowsException("more than one row: " + sql);
            }
            return row;
        }
    }

    /** One call's work on the bound statement. */
    @FunctionalInterface
    private interface Work<T> {
        T run(StatementCaches.Cached statement) throws SQLException;
    }

    private <T> T run(Object[] values, Work<T> work) {
        Object[] arguments = shape.arguments.check(values);
        try {
            if (writes != null) {
                return shape.joinsGroups ? writes.write(connection -> runOn(connection, arguments, work))
                        : writes.writeAlone(connection -> runOn(connection, arguments, work));
            }
            if (placed != null) {
                return placed.single(connection -> runOn(connection, arguments, work));
            }
            if (router != null) {
                return routed(arguments, work);
            }
            try (Connection connection = dataSource.getConnection()) {
                return runOn(connection, arguments, work);
            }
        } catch (SQLException e) {
            throw new DataAccessException("SQL [" + sql + "]; " + e.getMessage(), e);
        }
    }

    /** On a replicated database: a select on a standby when one qualifies, a write on the primary, counted. */
    private <T> T routed(Object[] arguments, Work<T> work) throws SQLException {
        if (shape.select) {
            return router.read(connection -> runOn(connection, arguments, work));
        }
        try (Connection connection = dataSource.getConnection()) {
            T result = runOn(connection, arguments, work);
            router.committed();
            return result;
        } catch (SQLException e) {
            router.writeFailed(e);
            throw e;
        }
    }

    private <T> T runOn(Connection connection, Object[] arguments, Work<T> work) throws SQLException {
        StatementCaches.Cached cached = caches.statement(connection, sql);
        shape.bind(cached.statement, arguments, strategy);
        return work.run(cached);
    }
}
