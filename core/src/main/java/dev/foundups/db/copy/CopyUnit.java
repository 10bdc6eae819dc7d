package dev.foundups.db.copy;

import java.util.List;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * A table's rows on one database of the target, copied in one transaction there and recorded there as done: a
 * whole table on a target that is one database; on a sharded target a namespace's table on its shard, or the
 * share of a shared table that one shard holds (the rows of the agents placed there).
 *
 * @param table   the table
 * @param shard   the shard that holds these rows, or null when the target is one database
 * @param target  the unmapped context of that database
 * @param filters which of the source's rows: each a condition on the source table, read one after another (they
 *                select disjoint rows); one {@link DSL#noCondition()} for every row, none for no row
 */
record CopyUnit(CopyTable table, String shard, DSLContext target, List<Condition> filters) {

    CopyUnit {
        filters = List.copyOf(filters);
    }

    /** A whole table. */
    static CopyUnit whole(CopyTable table, String shard, DSLContext target) {
        return new CopyUnit(table, shard, target, List.of(DSL.noCondition()));
    }

    /** @return what identifies it in the target's records of finished tables: the table's name on its database */
    Key key() {
        return new Key(shard, table.name());
    }

    /** A unit's identity: a table name on a shard (null: the one database). */
    record Key(String shard, String table) {
    }
}
