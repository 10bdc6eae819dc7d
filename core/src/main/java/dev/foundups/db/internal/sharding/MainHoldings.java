package dev.foundups.db.internal.sharding;

import static dev.foundups.db.jooq.Tables.AGENTS_AWAKENING;
import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_NAMESPACES;
import static dev.foundups.db.jooq.Tables.FOUNDUPSDB_PLACEMENTS;

import java.time.Instant;
import java.util.Collection;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record1;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.DSL;

import dev.foundups.db.NamespaceState;

/**
 * What main holds of its own, whether or not the directory places it there: live namespaces in its catalog, and
 * agents with rows. Main keeps what it holds: a new placement of such a name stays on main, and the first shard
 * added places all of it on main. Statements for the {@link Directory}, on main's own tables.
 */
final class MainHoldings {

    private MainHoldings() {
    }

    /** Of these names, those main holds already: a live catalog row, or an agent's rows (not a FoundUp's). */
    static Select<Record1<String>> named(Placement.Kind kind, Collection<String> names) {
        if (kind == Placement.Kind.AGENT) {
            return DSL.select(AGENTS_AWAKENING.AGENT_ID).from(AGENTS_AWAKENING)
                    .where(AGENTS_AWAKENING.AGENT_ID.in(names))
                    .union(DSL.select(AGENTS_MEMORY.AGENT_ID).from(AGENTS_MEMORY)
                            .where(AGENTS_MEMORY.AGENT_ID.in(names)));
        }
        return DSL.select(FOUNDUPSDB_NAMESPACES.NAME).from(FOUNDUPSDB_NAMESPACES)
                .where(FOUNDUPSDB_NAMESPACES.KIND.eq(kind.namespaceKind().catalogValue()))
                .and(FOUNDUPSDB_NAMESPACES.NAME.in(names)).and(live());
    }

    /** Everything main holds, placed on main: its live namespaces and every agent with rows. */
    static void placeOnMain(DSLContext tx, Instant now) {
        tx.insertInto(FOUNDUPSDB_PLACEMENTS, FOUNDUPSDB_PLACEMENTS.KIND, FOUNDUPSDB_PLACEMENTS.NAME,
                        FOUNDUPSDB_PLACEMENTS.SHARD, FOUNDUPSDB_PLACEMENTS.EPOCH, FOUNDUPSDB_PLACEMENTS.STATE,
                        FOUNDUPSDB_PLACEMENTS.UPDATED_AT)
                .select(DSL.select(DSL.upper(FOUNDUPSDB_NAMESPACES.KIND), FOUNDUPSDB_NAMESPACES.NAME,
                                DSL.val(Directory.MAIN, FOUNDUPSDB_PLACEMENTS.SHARD),
                                DSL.val(1L, FOUNDUPSDB_PLACEMENTS.EPOCH),
                                DSL.val(Placement.State.ACTIVE.name(), FOUNDUPSDB_PLACEMENTS.STATE),
                                DSL.val(now, FOUNDUPSDB_PLACEMENTS.UPDATED_AT))
                        .from(FOUNDUPSDB_NAMESPACES).where(live()))
                .onConflictDoNothing()
                .execute();
        Table<?> agents = DSL.select(AGENTS_AWAKENING.AGENT_ID.as("agent")).from(AGENTS_AWAKENING)
                .union(DSL.select(AGENTS_MEMORY.AGENT_ID.as("agent")).from(AGENTS_MEMORY)
                        .where(AGENTS_MEMORY.AGENT_ID.isNotNull()))
                .asTable("agents");
        tx.insertInto(FOUNDUPSDB_PLACEMENTS, FOUNDUPSDB_PLACEMENTS.KIND, FOUNDUPSDB_PLACEMENTS.NAME,
                        FOUNDUPSDB_PLACEMENTS.SHARD, FOUNDUPSDB_PLACEMENTS.EPOCH, FOUNDUPSDB_PLACEMENTS.STATE,
                        FOUNDUPSDB_PLACEMENTS.UPDATED_AT)
                .select(DSL.select(DSL.val(Placement.Kind.AGENT.name(), FOUNDUPSDB_PLACEMENTS.KIND),
                                agents.field("agent", String.class),
                                DSL.val(Directory.MAIN, FOUNDUPSDB_PLACEMENTS.SHARD),
                                DSL.val(1L, FOUNDUPSDB_PLACEMENTS.EPOCH),
                                DSL.val(Placement.State.ACTIVE.name(), FOUNDUPSDB_PLACEMENTS.STATE),
                                DSL.val(now, FOUNDUPSDB_PLACEMENTS.UPDATED_AT))
                        .from(agents))
                .onConflictDoNothing()
                .execute();
    }

    /** A catalog row that is not a dropped namespace's. */
    private static Condition live() {
        return FOUNDUPSDB_NAMESPACES.STATE.ne(NamespaceState.DROPPED.catalogValue());
    }
}
