package dev.foundups.db.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import org.junit.jupiter.api.Test;

class UtcInstantBindingTest {

    @Test
    void writesOneFixedWidthUtcForm() {
        assertEquals("2024-03-01 09:05:07.123", UtcInstantBinding.format(Instant.parse("2024-03-01T09:05:07.123456Z")));
        assertEquals("2024-03-01 09:05:07.000", UtcInstantBinding.format(Instant.parse("2024-03-01T09:05:07Z")));
    }

    @Test
    void readsWhatOtherToolsWrite() {
        Instant expected = Instant.parse("2024-03-01T09:05:07Z");
        assertEquals(expected, UtcInstantBinding.parse("2024-03-01 09:05:07"), "CURRENT_TIMESTAMP's form");
        assertEquals(expected, UtcInstantBinding.parse("2024-03-01 09:05:07.000"));
        assertEquals(expected, UtcInstantBinding.parse("2024-03-01T09:05:07Z"));
        assertEquals(expected, UtcInstantBinding.parse("2024-03-01T11:05:07+02:00"));
        assertEquals(expected.plusMillis(120), UtcInstantBinding.parse("2024-03-01 09:05:07.12"));
        assertEquals(null, UtcInstantBinding.parse(null));
        assertThrows(DateTimeParseException.class, () -> UtcInstantBinding.parse("yesterday"));
    }

    @Test
    void textOrderIsTimeOrder() {
        Instant a = Instant.parse("2024-03-01T09:05:07.999Z");
        Instant b = Instant.parse("2024-03-01T09:05:08Z");
        Instant c = Instant.parse("2024-12-01T00:00:00Z");
        String fa = UtcInstantBinding.format(a);
        String fb = UtcInstantBinding.format(b);
        String fc = UtcInstantBinding.format(c);
        assertEquals(-1, Integer.signum(fa.compareTo(fb)));
        assertEquals(-1, Integer.signum(fb.compareTo(fc)));
    }

    @Test
    void canonicalTextReadsAndWritesAsTheFormatterDoes() {
        java.util.Random random = new java.util.Random(78);
        for (int n = 0; n < 10_000; n++) {
            // 0001-01-01 to 9999-12-31, any millisecond
            long millis = -62_135_596_800_000L + (long) (random.nextDouble() * 315_537_897_600_000L);
            Instant instant = Instant.ofEpochMilli(millis);
            String text = UtcInstantBinding.format(instant);
            assertEquals(UtcInstantBinding.CANONICAL.format(instant), text);
            assertEquals(instant, UtcInstantBinding.parse(text));
        }
        assertEquals("2024-03-01 09:05:07.999", UtcInstantBinding.format(Instant.parse("2024-03-01T09:05:07.999999Z")));
        assertEquals("+10000-01-01 00:00:00.000", UtcInstantBinding.format(Instant.parse("+10000-01-01T00:00:00Z")));
    }

    @Test
    void impossibleCanonicalTextIsRefused() {
        // The lenient parser's rules apply (it resolves 02-30 to the month's last day, as it always did).
        assertEquals(Instant.parse("2024-02-29T09:05:07Z"), UtcInstantBinding.parse("2024-02-30 09:05:07.000"));
        assertThrows(DateTimeParseException.class, () -> UtcInstantBinding.parse("2024-03-01 24:05:07.000"));
        assertThrows(DateTimeParseException.class, () -> UtcInstantBinding.parse("2024-03-01 09:05:0x.000"));
    }
}
