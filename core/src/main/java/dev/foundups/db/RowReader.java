package dev.foundups.db;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

import org.jooq.Configuration;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.TableRecord;

import dev.foundups.db.internal.dialect.DialectStrategy;

/**
 * Reads the rows of a compiled query into records of its generated class, as jOOQ's own fetch would: the columns
 * found by name once per statement, each value read by the generated column's type, each record attached to the
 * context the query ran on. Holds nothing of that context: one serves every namespace of a template.
 */
final class RowReader<R extends Record> {

    private final Field<?>[] fields;
    private final JdbcType[] columnTypes;
    private final MethodHandle recordConstructor;
    /** The fields as the record holds them, in the order of {@link #fields}. */
    private final Field<?>[] recordFields;

    /** @param configuration a context of the query's, to make a record of its shape with */
    RowReader(ResultQuery<?> query, Configuration configuration) {
        this.fields = query.fields();
        this.columnTypes = new JdbcType[fields.length];
        for (int i = 0; i < fields.length; i++) {
            columnTypes[i] = JdbcType.of(fields[i].getDataType(), "column '" + fields[i].getName() + "'");
        }
        this.recordConstructor = constructor(query.getRecordType());
        // The record's own instances of the fields: Record.set finds a field by identity first and by name only
        // after, so setting the query's (equal but distinct) field objects cost a name comparison per column.
        Record shape = newRecord(configuration);
        this.recordFields = new Field<?>[fields.length];
        for (int i = 0; i < fields.length; i++) {
            Field<?> own = shape.field(fields[i]);
            recordFields[i] = own != null ? own : fields[i];
        }
    }

    /** Where each field's column is: by name, found once per statement; by position when names do not tell. */
    int[] columns(StatementCaches.Cached cached, ResultSet rs, String sql) throws SQLException {
        int[] columns = cached.columns;
        if (columns != null) {
            return columns;
        }
        ResultSetMetaData meta = rs.getMetaData();
        int count = meta.getColumnCount();
        columns = new int[fields.length];
        boolean byName = true;
        for (int f = 0; f < fields.length && byName; f++) {
            columns[f] = 0;
            for (int c = 1; c <= count; c++) {
                if (meta.getColumnLabel(c).equalsIgnoreCase(fields[f].getName())) {
                    columns[f] = c;
                    break;
                }
            }
            byName = columns[f] > 0;
        }
        if (!byName) {
            if (count != fields.length) {
                throw new FoundupsDbException(FoundupsDbException.ErrorCode.DATABASE, "the query returned " + count
                        + " columns where " + fields.length + " were expected: " + sql);
            }
            for (int f = 0; f < fields.length; f++) {
                columns[f] = f + 1;
            }
        }
        cached.columns = columns;
        return columns;
    }

    @SuppressWarnings("unchecked")
    R record(ResultSet rs, int[] columns, Configuration configuration, DialectStrategy strategy)
            throws SQLException {
        Record record = newRecord(configuration);
        for (int f = 0; f < fields.length; f++) {
            set(record, recordFields[f], columnTypes[f].get(rs, columns[f], strategy));
        }
        record.changed(false);
        return (R) record;
    }

    /** @param configuration the context the record is attached to, as jOOQ's fetch attaches it */
    private Record newRecord(Configuration configuration) {
        if (recordConstructor == null) {
            return configuration.dsl().newRecord(fields);
        }
        Record record;
        try {
            record = (Record) recordConstructor.invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("cannot create a " + recordConstructor.type().returnType(), e);
        }
        record.attach(configuration);
        return record;
    }

    @SuppressWarnings("unchecked")
    private static <T> void set(Record record, Field<T> field, Object value) {
        record.set(field, (T) value);
    }

    /** The generated record classes have a public no-argument constructor: used as jOOQ's fetch uses it. */
    private static MethodHandle constructor(Class<?> recordType) {
        if (recordType == null || !TableRecord.class.isAssignableFrom(recordType)
                || Modifier.isAbstract(recordType.getModifiers()) || recordType.isInterface()) {
            return null;
        }
        try {
            return MethodHandles.publicLookup().findConstructor(recordType, MethodType.methodType(void.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
