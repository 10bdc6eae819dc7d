package dev.foundups.db.internal.moves;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.postgresql.Driver;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * The libpq connection string with which a target server's subscription reaches the source shard, built from the
 * shard's parsed {@link DatabaseUrl}: host(s), port(s), database, user, password and the SSL mode, nothing else.
 *
 * <p>libpq's rule (PostgreSQL manual, "Connection Strings"): {@code keyword = 'value'}, with a single quote or a
 * backslash inside the value written {@code \'} and {@code \\}. The whole string then goes into
 * {@code CREATE SUBSCRIPTION ... CONNECTION '...'} as an SQL literal, with single quotes doubled (utility
 * statements take no bind parameters). {@link #toString()} masks the password: only {@link #sqlLiteral()} holds it.
 */
final class Conninfo {

    /** How long the target server waits for the source when it connects (also when a subscription is dropped). */
    static final int CONNECT_TIMEOUT_SECONDS = 10;

    private final Map<String, String> values;

    private Conninfo(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param url a PostgreSQL shard's URL
     * @return its connection string
     * @throws FoundupsDbException CONFIGURATION when the URL names no host or database
     */
    static Conninfo of(DatabaseUrl url) {
        Properties parsed = Driver.parseURL(url.jdbcUrl(), null);
        if (parsed == null) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, "shard URL " + url + " cannot be read as a "
                    + "PostgreSQL URL");
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<String> hosts = new ArrayList<>();
        for (String host : parsed.getProperty("PGHOST", "localhost").split(",")) {
            // pgjdbc keeps IPv6 literals in brackets, libpq takes them bare
            hosts.add(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
        }
        values.put("host", String.join(",", hosts));
        values.put("port", parsed.getProperty("PGPORT", "5432"));
        values.put("dbname", require(url, parsed.getProperty("PGDBNAME"), "database name"));
        url.user().or(() -> java.util.Optional.ofNullable(parsed.getProperty("user")))
                .ifPresent(u -> values.put("user", u));
        url.password().or(() -> java.util.Optional.ofNullable(parsed.getProperty("password")))
                .ifPresent(p -> values.put("password", p));
        String sslmode = parsed.getProperty("sslmode");
        if (sslmode != null) {
            values.put("sslmode", sslmode);
        }
        if (hosts.size() > 1) {
            values.put("target_session_attrs", "read-write"); // a failover pair: the subscription wants the primary
        }
        values.put("connect_timeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        return new Conninfo(values);
    }

    private static String require(DatabaseUrl url, String value, String what) {
        if (value == null || value.isEmpty()) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, "shard URL " + url + " names no " + what);
        }
        return value;
    }

    /** @return the connection string, password included: for the subscription only, never for a log */
    String text() {
        StringBuilder out = new StringBuilder();
        values.forEach((key, value) -> {
            if (value.indexOf('\0') >= 0) {
                throw new FoundupsDbException(ErrorCode.CONFIGURATION, "the shard URL's " + key + " holds a NUL "
                        + "character, which a connection string cannot carry");
            }
            out.append(out.length() == 0 ? "" : " ").append(key).append("='")
                    .append(value.replace("\\", "\\\\").replace("'", "\\'")).append('\'');
        });
        return out.toString();
    }

    /**
     * @return the connection string as an SQL string literal, for a server with {@code standard_conforming_strings}
     *         on (the default since PostgreSQL 9.1; the caller checks it)
     */
    String sqlLiteral() {
        return "'" + text().replace("'", "''") + "'";
    }

    /** @return the connection string with the password masked */
    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(values);
        shown.computeIfPresent("password", (k, v) -> "****");
        return new Conninfo(shown).text();
    }
}
