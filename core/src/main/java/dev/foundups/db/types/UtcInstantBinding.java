package dev.foundups.db.types;

import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;

import org.jooq.Binding;
import org.jooq.BindingGetResultSetContext;
import org.jooq.BindingGetSQLInputContext;
import org.jooq.BindingGetStatementContext;
import org.jooq.BindingRegisterContext;
import org.jooq.BindingSQLContext;
import org.jooq.BindingSetSQLOutputContext;
import org.jooq.BindingSetStatementContext;
import org.jooq.Converter;
import org.jooq.SQLDialect;
import org.jooq.impl.SQLDataType;

/**
 * Stores every timestamp as a UTC instant at millisecond precision, the same on every dialect.
 *
 * <p>PostgreSQL columns are {@code timestamptz}, bound as {@link OffsetDateTime} at UTC. SQLite has no timestamp
 * type: there the value is text in one canonical form, {@code YYYY-MM-DD HH:MM:SS.SSS} in UTC, which is also what
 * the changelogs' default ({@code strftime('%Y-%m-%d %H:%M:%f','now')}) writes. One fixed-width form means text
 * comparison and {@code ORDER BY} agree with time order. Reading also accepts the other forms SQLite users write
 * ({@code CURRENT_TIMESTAMP}'s seconds-only form, ISO-8601 with {@code T}, {@code Z} or an offset), so data that
 * other tools wrote stays readable.
 *
 * <p>Generated code references this class through the code generator's forced types; user code does not call it.
 */
public final class UtcInstantBinding implements Binding<OffsetDateTime, Instant> {

    private static final long serialVersionUID = 1L;

    /** The canonical SQLite text form. */
    static final DateTimeFormatter CANONICAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd")
            .optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().appendLiteral('T').optionalEnd()
            .appendPattern("HH:mm")
            .optionalStart().appendPattern(":ss").optionalEnd()
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();

    private static final Converter<OffsetDateTime, Instant> CONVERTER = Converter.ofNullable(
            OffsetDateTime.class, Instant.class,
            odt -> odt.toInstant().truncatedTo(ChronoUnit.MILLIS),
            instant -> instant.truncatedTo(ChronoUnit.MILLIS).atOffset(ZoneOffset.UTC));

    private static final Binding<?, Instant> SQLITE = SQLDataType.VARCHAR
            .asConvertedDataType(Converter.ofNullable(String.class, Instant.class,
                    UtcInstantBinding::parse, UtcInstantBinding::format))
            .getBinding();

    private static final Binding<?, Instant> STANDARD = SQLDataType.TIMESTAMPWITHTIMEZONE(3)
            .asConvertedDataType(CONVERTER)
            .getBinding();

    /**
     * Formats an instant in the canonical SQLite form, truncated to milliseconds.
     *
     * @param instant the instant, or null
     * @return {@code YYYY-MM-DD HH:MM:SS.SSS} in UTC, or null
     */
    public static String format(Instant instant) {
        if (instant == null) {
            return null;
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
        if (t.getYear() < 0 || t.getYear() > 9999) {
            return CANONICAL.format(instant.truncatedTo(ChronoUnit.MILLIS));
        }
        // By hand rather than with CANONICAL: every written timestamp passes here, and a formatter costs about a
        // microsecond, a noticeable share of a small insert.
        char[] text = new char[23];
        put(text, 0, t.getYear(), 4);
        text[4] = '-';
        put(text, 5, t.getMonthValue(), 2);
        text[7] = '-';
        put(text, 8, t.getDayOfMonth(), 2);
        text[10] = ' ';
        put(text, 11, t.getHour(), 2);
        text[13] = ':';
        put(text, 14, t.getMinute(), 2);
        text[16] = ':';
        put(text, 17, t.getSecond(), 2);
        text[19] = '.';
        put(text, 20, t.getNano() / 1_000_000, 3);
        return new String(text);
    }

    private static void put(char[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * Parses a stored SQLite timestamp: the canonical form or any ISO-8601-like variant; no offset means UTC.
     *
     * @param text the stored text, or null
     * @return the instant truncated to milliseconds, or null
     * @throws DateTimeParseException when the text is not a timestamp
     */
    public static Instant parse(String text) {
        if (text == null) {
            return null;
        }
        Instant canonical = parseCanonical(text);
        if (canonical != null) {
            return canonical;
        }
        var parsed = LENIENT.parse(text.trim());
        LocalDateTime local = LocalDateTime.from(parsed);
        ZoneOffset offset = parsed.isSupported(ChronoField.OFFSET_SECONDS)
                ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS))
                : ZoneOffset.UTC;
        return local.toInstant(offset).truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * The canonical form, read without a formatter: what the library and the changelogs' defaults write, so nearly
     * every read. A formatter's parse costs about a microsecond, a noticeable share of a point read.
     *
     * @return the instant, or null when the text is not exactly in the canonical form (the lenient parser decides)
     */
    private static Instant parseCanonical(String s) {
        if (s.length() != 23 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != ' '
                || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(19) != '.') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int milli = digits(s, 20, 3);
        if ((year | month | day | hour | minute | second | milli) < 0) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, milli * 1_000_000)
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null; // an impossible date: the lenient parser reports it
        }
    }

    /** @return the number written by {@code width} ASCII digits at {@code at}, or -1 when one is not a digit */
    private static int digits(String s, int at, int width) {
        int value = 0;
        for (int i = at; i < at + width; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    @Override
    public Converter<OffsetDateTime, Instant> converter() {
        return CONVERTER;
    }

    /**
     * A jOOQ binding is chosen per statement by the dialect it renders for; generated code has no other way in.
     * Outside DialectStrategy on purpose: jOOQ hands this public binding a SQLDialect, not a database.
     */
    private static Binding<?, Instant> delegate(SQLDialect dialect) {
        return dialect.family() == SQLDialect.SQLITE ? SQLITE : STANDARD;
    }

    @Override
    public void sql(BindingSQLContext<Instant> ctx) throws SQLException {
        delegate(ctx.dialect()).sql(ctx);
    }

    @Override
    public void register(BindingRegisterContext<Instant> ctx) throws SQLException {
        delegate(ctx.dialect()).register(ctx);
    }

    @Override
    public void set(BindingSetStatementContext<Instant> ctx) throws SQLException {
        delegate(ctx.dialect()).set(ctx);
    }

    @Override
    public void set(BindingSetSQLOutputContext<Instant> ctx) throws SQLException {
        delegate(ctx.dialect()).set(ctx);
    }

    @Override
    public void get(BindingGetResultSetContext<Instant> ctx) throws SQLException {
        delegate(ctx.dialect()).get(ctx);
    }

    @Override
    public void get(BindingGetStatementContext<Instant> ctx) throws SQLException {
        delegate(ctx.dialect()).get(ctx);
    }

    @Override
    public void get(BindingGetSQLInputContext<Instant> ctx) throws SQLException {
        delegate(ctx.dialect()).get(ctx);
    }
}
