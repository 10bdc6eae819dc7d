package dev.foundups.db;

import java.util.Objects;

import dev.foundups.db.internal.routing.Lsn;

/**
 * A point in the primary's history (its WAL position) that a later read must see: a service hands it to another
 * thread, process or service (in an HTTP header, say) so that it reads its own writes there, from whichever replica
 * has replayed that far.
 *
 * <pre>
 * ConsistencyToken token = db.consistencyToken();          // after the writes
 * response.setHeader("X-Foundups-Consistency", token.toString());
 * // elsewhere, in any process on the same cluster:
 * ConsistencyToken seen = ConsistencyToken.parse(request.getHeader("X-Foundups-Consistency"));
 * List&lt;...&gt; rows = db.readingAfter(seen, () -&gt; dsl.selectFrom(...).fetch());
 * </pre>
 *
 * <p>Its text form is {@code fdb1:} followed by a PostgreSQL {@code pg_lsn}, such as {@code fdb1:0/16B3748}. On
 * SQLite, and on a PostgreSQL database without replicas, every read sees every write and tokens are
 * {@link #NONE}.
 */
public final class ConsistencyToken implements Comparable<ConsistencyToken> {

    private static final String PREFIX = "fdb1:";

    /** A token that every read satisfies. */
    public static final ConsistencyToken NONE = new ConsistencyToken(Lsn.NONE);

    private final long position;

    private ConsistencyToken(long position) {
        this.position = position;
    }

    static ConsistencyToken of(long walPosition) {
        return walPosition == Lsn.NONE ? NONE : new ConsistencyToken(walPosition);
    }

    /**
     * Reads a token from its text form.
     *
     * @param text what {@link #toString()} returned, such as {@code fdb1:0/16B3748}; null or blank means
     *             {@link #NONE}
     * @return the token
     * @throws IllegalArgumentException when the text is not a token
     */
    public static ConsistencyToken parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        String value = text.trim();
        if (!value.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a consistency token: '" + value + "' (expected " + PREFIX
                    + "<pg_lsn>, such as " + PREFIX + "0/16B3748)");
        }
        try {
            return of(Lsn.parse(value.substring(PREFIX.length())));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a consistency token: '" + value + "': " + e.getMessage(), e);
        }
    }

    long walPosition() {
        return position;
    }

    /**
     * @param other another token
     * @return the later of the two: a read after it sees what both cover
     */
    public ConsistencyToken max(ConsistencyToken other) {
        Objects.requireNonNull(other, "other");
        return compareTo(other) >= 0 ? this : other;
    }

    @Override
    public int compareTo(ConsistencyToken other) {
        return Long.compareUnsigned(position, other.position);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConsistencyToken other && position == other.position;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(position);
    }

    /** @return the text form, {@code fdb1:<pg_lsn>}: safe to put in a header or a URL */
    @Override
    public String toString() {
        return PREFIX + Lsn.format(position);
    }
}
