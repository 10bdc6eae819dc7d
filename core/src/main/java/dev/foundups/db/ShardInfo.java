package dev.foundups.db;

/**
 * A shard of a sharded PostgreSQL database, as the directory records it (see {@link Shards}).
 *
 * @param name       the shard's name; {@code main} is the database {@code DATABASE_URL} names
 * @param url        its URL with the password masked: safe to print
 * @param state      whether it takes new namespaces and agents
 * @param namespaces how many modules and FoundUps are placed on it
 * @param agents     how many agents are placed on it
 */
public record ShardInfo(String name, String url, State state, int namespaces, int agents) {

    /** Whether a shard takes new placements. */
    public enum State {
        /** Takes new namespaces and agents. */
        ACTIVE,
        /** Being emptied: takes nothing new. */
        DRAINING
    }
}
