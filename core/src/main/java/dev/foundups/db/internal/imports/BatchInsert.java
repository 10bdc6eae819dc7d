package dev.foundups.db.internal.imports;

import java.util.List;

import org.jooq.BatchBindStep;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;

/**
 * How every import writes its rows: one prepared INSERT, bound row by row and sent in batches, in the caller's
 * transaction (so a failure anywhere leaves nothing of the file behind, and no batch costs a commit).
 */
final class BatchInsert {

    /** Rows a batch: large enough that round trips do not dominate, small enough to bound the driver's buffers. */
    static final int BATCH = 1000;

    private BatchInsert() {
    }

    /**
     * @param t      the transaction to insert in
     * @param table  the table
     * @param fields its columns, in the order of each row's values
     * @param rows   the values, one array a row, ready to bind
     * @return how many rows were inserted
     */
    static long insert(DSLContext t, Table<?> table, List<? extends Field<?>> fields, Iterable<Object[]> rows) {
        var insert = t.insertInto(table, fields).values(new Object[fields.size()]);
        BatchBindStep batch = t.batch(insert);
        long count = 0;
        int pending = 0;
        for (Object[] row : rows) {
            batch.bind(row);
            count++;
            if (++pending == BATCH) {
                batch.execute();
                batch = t.batch(insert);
                pending = 0;
            }
        }
        if (pending > 0) {
            batch.execute();
        }
        return count;
    }
}
