package dev.foundups.db;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;

import org.jooq.DataType;
import org.jooq.JSON;
import org.jooq.JSONB;

import dev.foundups.db.internal.dialect.DialectStrategy;
import dev.foundups.db.types.UtcInstantBinding;

/**
 * How a compiled statement binds and reads a column's Java type on JDBC: the same values jOOQ's bindings would
 * write and read for the types of the generated classes, without jOOQ's per-call binding machinery. A column of
 * any other type, or one with a converter of the user's, cannot be compiled.
 */
enum JdbcType {
    STRING(false), INTEGER(true), LONG(true), SHORT(true), BOOLEAN(true), DOUBLE(true), BIG_DECIMAL(false),
    BYTES(false), JSON_TEXT(false), JSONB_TEXT(false), INSTANT(false);

    /** The types bound as they are, when no converter stands between. An Instant only through its binding. */
    private static final Map<Class<?>, JdbcType> PLAIN = Map.of(String.class, STRING, Integer.class, INTEGER,
            Long.class, LONG, Short.class, SHORT, Boolean.class, BOOLEAN, Double.class, DOUBLE,
            BigDecimal.class, BIG_DECIMAL, byte[].class, BYTES, JSON.class, JSON_TEXT, JSONB.class, JSONB_TEXT);

    /** Read with a getter that returns 0 or false for SQL NULL: only then must {@code wasNull} be asked. */
    private final boolean primitive;

    JdbcType(boolean primitive) {
        this.primitive = primitive;
    }

    /**
     * @param dataType a column's or parameter's type
     * @param what     what it is, for the error message
     * @return how it is bound and read
     * @throws IllegalArgumentException when a compiled statement cannot carry it
     */
    static JdbcType of(DataType<?> dataType, String what) {
        Class<?> type = dataType.getType();
        if (type == Instant.class && dataType.getBinding() instanceof UtcInstantBinding) {
            return INSTANT;
        }
        JdbcType plain = dataType.getConverter().fromType() == type ? PLAIN.get(type) : null;
        if (plain != null) {
            return plain;
        }
        throw new IllegalArgumentException("cannot compile this query: " + what + " is of type "
                + type.getName() + (dataType.getConverter().fromType() == type ? "" : " through a converter")
                + ", which compiled statements do not bind. They take String, Integer, Long, Short, Boolean, "
                + "Double, BigDecimal, byte[], JSON, JSONB and the generated classes' Instant; run the query "
                + "through the DSL instead");
    }

    void set(PreparedStatement ps, int index, Object value, DialectStrategy strategy, int sqlType) throws SQLException {
        if (value == null) {
            ps.setNull(index, sqlType);
            return;
        }
        switch (this) {
            case STRING -> ps.setString(index, (String) value);
            case INTEGER -> ps.setInt(index, (Integer) value);
            case LONG -> ps.setLong(index, (Long) value);
            case SHORT -> ps.setShort(index, (Short) value);
            case BOOLEAN -> ps.setBoolean(index, (Boolean) value);
            case DOUBLE -> ps.setDouble(index, (Double) value);
            case BIG_DECIMAL -> ps.setBigDecimal(index, (BigDecimal) value);
            case BYTES -> ps.setBytes(index, (byte[]) value);
            case JSON_TEXT -> ps.setString(index, ((JSON) value).data());
            case JSONB_TEXT -> ps.setString(index, ((JSONB) value).data());
            case INSTANT -> strategy.setInstant(ps, index, (Instant) value);
            default -> throw new IllegalStateException(name());
        }
    }

    Object get(ResultSet rs, int column, DialectStrategy strategy) throws SQLException {
        Object value = switch (this) {
            case STRING -> rs.getString(column);
            case INTEGER -> rs.getInt(column);
            case LONG -> rs.getLong(column);
            case SHORT -> rs.getShort(column);
            case BOOLEAN -> rs.getBoolean(column);
            case DOUBLE -> rs.getDouble(column);
            case BIG_DECIMAL -> rs.getBigDecimal(column);
            case BYTES -> rs.getBytes(column);
            case JSON_TEXT -> {
                String text = rs.getString(column);
                yield text == null ? null : JSON.valueOf(text);
            }
            case JSONB_TEXT -> {
                String text = rs.getString(column);
                yield text == null ? null : JSONB.valueOf(text);
            }
            case INSTANT -> strategy.getInstant(rs, column);
        };
        // getInt and its kind read SQL NULL as 0; the others return null themselves (and wasNull costs a call).
        return primitive && rs.wasNull() ? null : value;
    }
}
