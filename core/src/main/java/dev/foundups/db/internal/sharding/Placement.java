package dev.foundups.db.internal.sharding;

import dev.foundups.db.NamespaceKind;

/**
 * Where a module, a FoundUp or an agent lives: one row of {@code foundupsdb_placements}.
 *
 * @param kind  what is placed
 * @param name  the module name, FoundUp id or agent id
 * @param shard the shard that holds it
 * @param epoch bumped by every change of shard; a statement that saw an older epoch ran before a move
 * @param state whether it is being created, in place, or being moved
 */
record Placement(Kind kind, String name, String shard, long epoch, State state) {

    /** What is placed; the directory stores the constant's name. */
    enum Kind {
        MODULE, FOUNDUP, AGENT;

        static Kind of(NamespaceKind kind) {
            return kind == NamespaceKind.MODULE ? MODULE : FOUNDUP;
        }

        NamespaceKind namespaceKind() {
            return this == MODULE ? NamespaceKind.MODULE : NamespaceKind.FOUNDUP;
        }

        String describe() {
            return this == AGENT ? "agent" : namespaceKind().describeName();
        }
    }

    /** The life of a placement. */
    enum State {
        /** Recorded, its tables perhaps not created yet: whoever finds it completes it on the same shard. */
        PLACING,
        /** In place. */
        ACTIVE,
        /** Being moved: still on {@link Placement#shard()} until the directory names the new one. */
        MOVING
    }

    /** @return {@code KIND:name}: the cache key, and the payload of the directory's notifications */
    String key() {
        return key(kind, name);
    }

    static String key(Kind kind, String name) {
        return kind.name() + ":" + name;
    }

    /** @return how messages name it, such as {@code FoundUp id 'youtube_bot'} */
    String describe() {
        return kind.describe() + " '" + name + "'";
    }
}
