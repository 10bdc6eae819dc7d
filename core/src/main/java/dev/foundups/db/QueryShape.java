package dev.foundups.db;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.jooq.Configuration;
import org.jooq.Param;
import org.jooq.Query;
import org.jooq.ResultQuery;
import org.jooq.Select;

import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.internal.sqlite.WriteDiscipline;

/**
 * What a compiled query is apart from the context it runs on and its table names: its kind, its parameters and
 * constants with their JDBC types, and how it reads rows. A template's namespaces share one (see
 * {@link KeptQueries#templated}): their statements differ only in the table prefix.
 */
final class QueryShape {

    /** A select: no write discipline, and on replicas a read. */
    final boolean select;
    /** On SQLite an insert, update or delete joins a group commit; anything else (DDL, plain SQL) writes alone. */
    final boolean joinsGroups;
    final Arguments arguments;
    /** Reads result rows into records; null for a statement that returns none. */
    final RowReader<?> rows;
    /** For each bind position: the call argument it takes, or -1 for a constant. */
    private final int[] argumentOf;
    private final Object[] constants;
    private final JdbcType[] bindTypes;
    private final int[] bindSqlTypes;

    /**
     * @param configuration the context it is compiled on
     * @param query         the query
     * @param rendered      the query rendered on that context
     */
    QueryShape(Configuration configuration, Query query, RenderedSql rendered) {
        this.select = query instanceof Select;
        this.joinsGroups = WriteDiscipline.joinsGroups(query);
        List<Param<?>> params = rendered.parameters();
        List<String> names = new ArrayList<>();
        List<Param<?>> named = new ArrayList<>();
        this.argumentOf = new int[params.size()];
        this.constants = new Object[params.size()];
        this.bindTypes = new JdbcType[params.size()];
        this.bindSqlTypes = new int[params.size()];
        for (int i = 0; i < params.size(); i++) {
            Param<?> param = params.get(i);
            String name = param.getParamName();
            bindTypes[i] = JdbcType.of(param.getDataType(), name == null ? "the value " + param.getValue()
                    : "parameter '" + name + "'");
            bindSqlTypes[i] = param.getDataType().getSQLType(configuration);
            if (name == null) {
                argumentOf[i] = -1;
                constants[i] = param.getValue();
            } else {
                int index = names.indexOf(name);
                if (index < 0) {
                    index = names.size();
                    names.add(name);
                    named.add(param);
                }
                argumentOf[i] = index;
            }
        }
        this.arguments = new Arguments(names, named);
        this.rows = query instanceof ResultQuery<?> resultQuery ? new RowReader<>(resultQuery, configuration) : null;
    }

    /**
     * Binds a call's checked arguments, and the constants, to the statement.
     *
     * @param strategy the statement's dialect (instants are text on SQLite)
     */
    void bind(PreparedStatement statement, Object[] checked, DialectStrategy strategy) throws SQLException {
        for (int i = 0; i < argumentOf.length; i++) {
            Object value = argumentOf[i] < 0 ? constants[i] : checked[argumentOf[i]];
            bindTypes[i].set(statement, i + 1, value, strategy, bindSqlTypes[i]);
        }
    }
}
