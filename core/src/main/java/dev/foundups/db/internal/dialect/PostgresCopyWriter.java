package dev.foundups.db.internal.dialect;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;

import org.jooq.JSON;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Feeds rows to PostgreSQL's {@code COPY ... FROM STDIN} in its text format, through pgjdbc's CopyManager: one
 * statement for a whole table instead of one round trip per batch.
 *
 * <p>The text format (PostgreSQL manual, "COPY", File Formats): columns separated by a tab, rows ended by a
 * newline, {@code \N} for NULL, and a backslash, tab, newline or carriage return inside a value written as
 * {@code \\}, {@code \t}, {@code \n}, {@code \r}. Every value is written in a form its column's input function
 * reads back exactly: instants in ISO-8601 with {@code Z}, booleans as {@code t}/{@code f}, bytes as
 * {@code \x} hex, doubles in Java's shortest round-trip form (which PostgreSQL parses, {@code NaN} and
 * {@code Infinity} included).
 */
final class PostgresCopyWriter implements AutoCloseable {

    private static final int FLUSH_BYTES = 1 << 20;
    private static final HexFormat HEX = HexFormat.of();

    private final CopyIn copy;
    private final String table;
    private final StringBuilder line = new StringBuilder(256);
    private byte[] buffer = new byte[FLUSH_BYTES + (64 << 10)];
    private int length;
    private boolean ended;

    /**
     * @param connection a connection in the transaction that copies the table
     * @param sql        the {@code COPY "table" ("a", "b") FROM STDIN} statement, with identifiers quoted
     * @param table      the table's name, for messages
     */
    PostgresCopyWriter(Connection connection, String sql, String table) throws SQLException {
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        this.table = table;
    }

    void row(Object[] values) throws SQLException {
        line.setLength(0);
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                line.append('\t');
            }
            value(values[i]);
        }
        line.append('\n');
        byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
        if (length + bytes.length > buffer.length) {
            flush();
            if (bytes.length > buffer.length) {
                buffer = new byte[bytes.length];
            }
        }
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
        if (length >= FLUSH_BYTES) {
            flush();
        }
    }

    /** Sends what is buffered and ends the COPY. */
    long finish() throws SQLException {
        flush();
        ended = true;
        return copy.endCopy();
    }

    private void flush() throws SQLException {
        if (length > 0) {
            copy.writeToCopy(buffer, 0, length);
            length = 0;
        }
    }

    private void value(Object value) {
        if (value == null) {
            line.append("\\N");
        } else if (value instanceof String s) {
            text(s);
        } else if (value instanceof Instant i) {
            line.append(i); // 2024-01-01T10:00:00.123Z
        } else if (value instanceof Boolean b) {
            line.append(b ? 't' : 'f');
        } else if (value instanceof JSON j) {
            text(j.data());
        } else if (value instanceof BigDecimal d) {
            line.append(d.toPlainString());
        } else if (value instanceof Number n) {
            line.append(n); // Long, Integer, Double: Java's forms are PostgreSQL input forms
        } else if (value instanceof byte[] bytes) {
            line.append("\\\\x").append(HEX.formatHex(bytes)); // bytea hex input, its backslash escaped for COPY
        } else {
            text(value.toString());
        }
    }

    private void text(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                case '\0' -> throw new IllegalArgumentException(table + ": a value holds a NUL character, which "
                        + "PostgreSQL text cannot store: " + abbreviate(s));
                default -> line.append(c);
            }
        }
    }

    private static String abbreviate(String s) {
        String printable = s.replace('\0', '?');
        return printable.length() > 60 ? printable.substring(0, 60) + "..." : printable;
    }

    /** Cancels a COPY that did not finish, so the connection can roll back and be reused. */
    @Override
    public void close() {
        if (!ended && copy.isActive()) {
            try {
                copy.cancelCopy();
            } catch (SQLException ignored) {
                // the transaction is rolled back anyway
            }
        }
    }
}
