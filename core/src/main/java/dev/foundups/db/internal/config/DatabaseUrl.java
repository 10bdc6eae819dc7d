package dev.foundups.db.internal.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.foundups.db.Dialect;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.dialect.DialectStrategy;

/**
 * A parsed {@code DATABASE_URL}: which dialect, the JDBC URL, and the credentials kept apart from it.
 *
 * <p>Accepted forms:
 * <pre>
 * (unset)                                   SQLite at data/foundups.db
 * sqlite:///data/foundups.db                SQLite, relative path (SQLAlchemy's form)
 * sqlite:////var/lib/foundups/foundups.db   SQLite, absolute path
 * jdbc:sqlite:data/foundups.db              SQLite, JDBC form
 * postgresql://user:password@host:5432/db   PostgreSQL (also postgres://), libpq's form
 * jdbc:postgresql://host:5432/db?user=u     PostgreSQL, JDBC form
 * </pre>
 * {@link #toString()} masks the password, so the object is safe to log.
 */
public final class DatabaseUrl {

    /** Where the database lives when {@code DATABASE_URL} is not set. */
    public static final String DEFAULT_SQLITE_PATH = "data/foundups.db";

    static final String ACCEPTED_FORMS = "sqlite:///relative/path.db, sqlite:////absolute/path.db, "
            + "jdbc:sqlite:path.db, postgresql://user:password@host:5432/database (or postgres://...), "
            + "jdbc:postgresql://host:5432/database";

    private static final Pattern LIBPQ = Pattern.compile(
            "(?:postgres|postgresql)://(?:([^:@/?]*)(?::([^@/?]*))?@)?([^/?]*)(?:/([^?]*))?(?:\\?(.*))?");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&;]*");

    private final Dialect dialect;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final Path sqlitePath;

    private DatabaseUrl(Dialect dialect, String jdbcUrl, String user, String password, Path sqlitePath) {
        this.dialect = dialect;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.sqlitePath = sqlitePath;
    }

    /**
     * Parses a database URL.
     *
     * @param value   the URL; null or blank means the default SQLite file
     * @param setting the setting's name for error messages, such as {@code DATABASE_URL}
     * @return the parsed URL; never null
     * @throws FoundupsDbException (CONFIGURATION) naming the setting and the accepted forms when the URL is not one
     */
    public static DatabaseUrl parse(String value, String setting) {
        if (value == null || value.isBlank()) {
            return sqlite(DEFAULT_SQLITE_PATH, value, setting);
        }
        String url = value.trim();
        if (url.startsWith("jdbc:sqlite:")) {
            String rest = url.substring("jdbc:sqlite:".length());
            int query = rest.indexOf('?');
            if (query >= 0) {
                throw invalid(setting, url, "query parameters in a SQLite URL are not supported (FoundUps DB sets "
                        + "the PRAGMAs itself)");
            }
            if (rest.startsWith("file:")) {
                rest = rest.substring("file:".length());
            }
            return sqlite(rest, url, setting);
        }
        if (url.startsWith("sqlite:")) {
            if (!url.startsWith("sqlite:///")) {
                throw invalid(setting, url, "a sqlite URL needs three slashes before a relative path "
                        + "(sqlite:///data/foundups.db) and four before an absolute one");
            }
            return sqlite(url.substring("sqlite:///".length()), url, setting);
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(Dialect.POSTGRESQL, url, null, null, null);
        }
        Matcher libpq = LIBPQ.matcher(url);
        if (libpq.matches()) {
            String host = libpq.group(3);
            String database = libpq.group(4);
            if (host.isEmpty()) {
                throw invalid(setting, url, "the host is missing");
            }
            if (database == null || database.isEmpty()) {
                throw invalid(setting, url, "the database name is missing");
            }
            String jdbc = "jdbc:postgresql://" + host + "/" + database
                    + (libpq.group(5) == null ? "" : "?" + libpq.group(5));
            return new DatabaseUrl(Dialect.POSTGRESQL, jdbc, decode(libpq.group(1)), decode(libpq.group(2)), null);
        }
        throw invalid(setting, url, "unknown scheme");
    }

    private static DatabaseUrl sqlite(String path, String original, String setting) {
        if (path.isEmpty() || path.equals(":memory:") || path.startsWith(":memory:") || path.contains("mode=memory")) {
            throw invalid(setting, original == null ? "" : original,
                    "SQLite needs a file path; an in-memory database would be lost with each pooled connection");
        }
        Path file = Path.of(path).toAbsolutePath().normalize();
        return new DatabaseUrl(Dialect.SQLITE, "jdbc:sqlite:" + file, null, null, file);
    }

    private static String decode(String part) {
        return part == null || part.isEmpty() ? null : URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    private static FoundupsDbException invalid(String setting, String url, String why) {
        return new FoundupsDbException(ErrorCode.CONFIGURATION, setting + " '" + mask(url) + "' is not a supported "
                + "database URL (" + why + "). Accepted forms: " + ACCEPTED_FORMS);
    }

    /**
     * Hides the password in a URL of any accepted form.
     *
     * @param url a database URL, possibly with a password
     * @return the same URL with the password replaced by {@code ****}
     */
    public static String mask(String url) {
        if (url == null) {
            return null;
        }
        String masked = url.replaceFirst("^((?:jdbc:)?[a-zA-Z][a-zA-Z0-9+.-]*://[^:@/?]*:)[^@/?]*@", "$1****@");
        return PASSWORD_PARAM.matcher(masked).replaceAll("$1****");
    }

    /** @return SQLite or PostgreSQL */
    public Dialect dialect() {
        return dialect;
    }

    /** @return what the library does differently on this URL's dialect */
    public DialectStrategy strategy() {
        return DialectStrategy.of(dialect);
    }

    /** @return the JDBC URL, without the user and password of a libpq-style URL; may hold a password parameter */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** @return the user name from a libpq-style URL, if there was one */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** @return the password from a libpq-style URL, if there was one */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** @return the absolute path of the SQLite file; empty on PostgreSQL */
    public Optional<Path> sqlitePath() {
        return Optional.ofNullable(sqlitePath);
    }

    /**
     * A plain connection outside any pool, for work that needs one of its own (a listener, a mover, a copy).
     *
     * @param properties driver properties; this URL's user and password are added to them
     * @return a new connection; the caller closes it
     * @throws SQLException when the driver cannot connect
     */
    public Connection connect(Properties properties) throws SQLException {
        user().ifPresent(u -> properties.setProperty("user", u));
        password().ifPresent(p -> properties.setProperty("password", p));
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatabaseUrl other && dialect == other.dialect && jdbcUrl.equals(other.jdbcUrl)
                && Objects.equals(user, other.user) && Objects.equals(password, other.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dialect, jdbcUrl, user);
    }

    /** @return the JDBC URL with any password masked, and the user if one was given apart */
    @Override
    public String toString() {
        return mask(jdbcUrl) + (user == null ? "" : " (user " + user + (password == null ? "" : ", password ****") + ")");
    }
}
