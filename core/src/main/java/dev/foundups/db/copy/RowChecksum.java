package dev.foundups.db.copy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;

import org.jooq.JSON;

import dev.foundups.db.internal.json.JsonDocuments;

/**
 * The checksum of a table's rows: the sum, modulo 2^128, of a hash of each row's normalised values. A sum does not
 * depend on the order rows are read in, which differs between dialects for text keys (SQLite compares bytes,
 * PostgreSQL its collation); and normalising values (not their stored text) makes the same data give the same
 * checksum whatever the dialect stored it as.
 */
final class RowChecksum {

    private final MessageDigest digest;
    private byte[] buffer = new byte[256];
    private int length;
    private long high;
    private long low;
    private long rows;

    RowChecksum() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Adds one row; the values are as jOOQ's typed fields return them. */
    void add(Object[] values) {
        length = 0;
        for (Object value : values) {
            encode(value);
        }
        digest.update(buffer, 0, length);
        byte[] hash = digest.digest();
        long h = longAt(hash, 0);
        long l = longAt(hash, 8);
        long sum = low + l;
        // Carry into the high half when the unsigned low half wrapped around.
        if (Long.compareUnsigned(sum, low) < 0) {
            h++;
        }
        low = sum;
        high += h;
        rows++;
    }

    long rows() {
        return rows;
    }

    /** @return 32 hex digits */
    String hex() {
        return String.format("%016x%016x", high, low);
    }

    private void encode(Object value) {
        if (value == null) {
            put((byte) 0);
        } else if (value instanceof Boolean b) {
            put((byte) 1);
            put((byte) (b ? 1 : 0));
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte) {
            put((byte) 2);
            putLong(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            put((byte) 3);
            putLong(Double.doubleToLongBits(((Number) value).doubleValue()));
        } else if (value instanceof BigDecimal d) {
            put((byte) 4);
            putBytes(d.stripTrailingZeros().toPlainString().getBytes(StandardCharsets.UTF_8));
        } else if (value instanceof String s) {
            put((byte) 5);
            putBytes(s.getBytes(StandardCharsets.UTF_8));
        } else if (value instanceof Instant i) {
            put((byte) 6);
            putLong(i.toEpochMilli());
        } else if (value instanceof JSON j) {
            // Parsed and written compactly: the same document whatever whitespace either side kept.
            put((byte) 7);
            putBytes(JsonDocuments.of("a JSON value", j).data().getBytes(StandardCharsets.UTF_8));
        } else if (value instanceof byte[] bytes) {
            put((byte) 8);
            putBytes(bytes);
        } else {
            put((byte) 9);
            putBytes(value.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private void put(byte b) {
        ensure(1);
        buffer[length++] = b;
    }

    private void putLong(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buffer[length++] = (byte) (v >>> (i * 8));
        }
    }

    private void putBytes(byte[] bytes) {
        putLong(bytes.length); // the length first, so that ("ab", "c") and ("a", "bc") differ
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }

    private static long longAt(byte[] b, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[offset + i] & 0xff);
        }
        return v;
    }
}
