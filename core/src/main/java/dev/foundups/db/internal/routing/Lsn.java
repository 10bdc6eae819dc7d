package dev.foundups.db.internal.routing;

/**
 * PostgreSQL WAL positions ({@code pg_lsn}), as unsigned 64-bit numbers: {@code "16/B374D848"} is
 * {@code 0x16_B374D848}.
 */
public final class Lsn {

    /** No position: before everything. */
    public static final long NONE = 0;

    private Lsn() {
    }

    /**
     * @param text a {@code pg_lsn} in its text form, such as {@code 0/16B3748}; null means {@link #NONE}
     * @return the position
     * @throws IllegalArgumentException when it is not one
     */
    public static long parse(String text) {
        if (text == null) {
            return NONE;
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || slash > 8 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not a WAL position (pg_lsn): '" + text + "'");
        }
        try {
            long high = Long.parseLong(text.substring(0, slash), 16);
            long low = Long.parseLong(text.substring(slash + 1), 16);
            return (high << 32) | low;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a WAL position (pg_lsn): '" + text + "'", e);
        }
    }

    /**
     * @param lsn a position
     * @return its {@code pg_lsn} text form
     */
    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    /** @return whether position {@code a} is at or after {@code b} */
    static boolean atLeast(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0;
    }

    /** @return the later of two positions */
    static long later(long a, long b) {
        return atLeast(a, b) ? a : b;
    }
}
