package dev.foundups.db.internal.naming;

import java.util.regex.Pattern;

/**
 * The strict rule for an identifier that SQL must name but that no generated class provides: a schema, a
 * publication, a subscription, a replication slot, a column read from the server's catalog. Lower-case letters,
 * digits and underscores, starting with a letter or underscore, at most 63 bytes (PostgreSQL truncates longer names
 * silently). An identifier that passes cannot break out of double quotes, and {@link #quoted} quotes it anyway, so
 * a name that happens to be a keyword still works.
 */
public final class SqlIdentifier {

    private static final Pattern RULE = Pattern.compile("[a-z_][a-z0-9_]*");

    private SqlIdentifier() {
    }

    /**
     * @param what  what the identifier names, for the message, such as {@code publication}
     * @param value the identifier
     * @return the identifier, unchanged
     * @throws IllegalArgumentException when it breaks the rule (a bug or a tampered catalog, never user input)
     */
    public static String require(String what, String value) {
        if (value == null || value.length() > NamespaceName.MAX_IDENTIFIER_LENGTH || !RULE.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' is not a plain SQL identifier (lower-case "
                    + "letters, digits and underscores, at most " + NamespaceName.MAX_IDENTIFIER_LENGTH + " bytes)");
        }
        return value;
    }

    /**
     * @param what  what the identifier names, for the message
     * @param value the identifier
     * @return it in double quotes, after {@link #require}
     */
    public static String quoted(String what, String value) {
        return '"' + require(what, value) + '"';
    }

    /**
     * @param schema a schema
     * @param name   a table or sequence in it
     * @return {@code "schema"."name"}, both checked
     */
    public static String qualified(String schema, String name) {
        return quoted("schema", schema) + "." + quoted("table", name);
    }
}
