package dev.foundups.db.internal.routing;

import java.sql.SQLException;

import com.zaxxer.hikari.SQLExceptionOverride;

/**
 * What a failed statement says about its server. PostgreSQL's SQL states: class 08 (connection exception), 57P01
 * (admin shutdown), 57P02 (crash shutdown), 57P03 (cannot connect now: starting up or shutting down) mean the server
 * or the connection is gone; 25006 (read-only SQL transaction) means the server is a standby (a demoted primary, or a
 * write that reached a replica).
 */
public final class SqlStates {

    private SqlStates() {
    }

    /** @return whether the connection's server is gone or going: use another server */
    public static boolean gone(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                        || state.equals("57P03"))) {
                    return true;
                }
            }
            if (t instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    /** @return whether the server refused because it is read-only: a standby */
    public static boolean readOnly(SQLException e) {
        return has(e, "25006");
    }

    /**
     * @param failure what a statement threw, or an exception wrapping it
     * @param state   a SQL state
     * @return whether the failure or one of its causes is a {@link SQLException} with that state
     */
    public static boolean has(Throwable failure, String state) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && state.equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A read that failed on a replica for a reason the primary would not have: the replica went away, is read-only
     * where the statement writes (a {@code SELECT ... FOR UPDATE}, {@code nextval}), was cancelled by a recovery
     * conflict (40001), or does not have a table yet (42P01: it has not replayed its creation).
     *
     * @return whether running it once more elsewhere may succeed
     */
    static boolean retryableOnReplica(SQLException e) {
        if (gone(e) || readOnly(e)) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && ("40001".equals(s.getSQLState()) || "42P01".equals(s.getSQLState())
                    || "42883".equals(s.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The pools' eviction rule: HikariCP evicts connections on class 08 and 57P0x already; a connection to a server
     * that became read-only (a demoted primary) must go too, or the writer pool keeps sending writes to it.
     */
    public static final class EvictGone implements SQLExceptionOverride {
        private final boolean readOnlyToo;

        /** @param readOnlyToo also on 25006: for the writer pool, whose server must never be a standby */
        public EvictGone(boolean readOnlyToo) {
            this.readOnlyToo = readOnlyToo;
        }

        @java.lang.Override
        public Override adjudicate(SQLException e) {
            return gone(e) || (readOnlyToo && readOnly(e)) ? Override.MUST_EVICT : Override.CONTINUE_EVICT;
        }
    }
}
