package dev.foundups.db.internal.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.foundups.db.FoundupsDbException;

/**
 * The COPY text format as {@code pg_restore --data-only --file=-} prints it; real archives are read by the sharded
 * restore test.
 */
class PostgresArchiveTest {

    @Test
    void aCopyBlockIsReadIntoRowsWithItsEscapesDecoded() {
        String sql = String.join("\n",
                "SET client_encoding = 'UTF8';",
                "",
                "COPY public.other (name) FROM stdin;",
                "not this",
                "\\.",
                "COPY public.foundupsdb_shards (name, url, state, added_at) FROM stdin;",
                "b\tjdbc:postgresql://h:5432/db?user=u&password=p\\\\w\\td\tACTIVE\t2026-01-01 00:00:00+00",
                "main\t\tACTIVE\t\\N",
                "\\.",
                "");
        List<Map<String, String>> rows = PostgresArchive.copyRows(sql, "foundupsdb_shards");
        assertEquals(2, rows.size());
        assertEquals("jdbc:postgresql://h:5432/db?user=u&password=p\\w\td", rows.get(0).get("url"));
        assertEquals("", rows.get(1).get("url"));
        assertNull(rows.get(1).get("added_at"));
        assertEquals(List.of(), PostgresArchive.copyRows("SET x = 1;\n", "foundupsdb_shards"));
    }

    @Test
    void escapesFollowPostgresql() {
        assertEquals("a\nb\\c\u0001\u0002", PostgresArchive.decode("a\\nb\\\\c\\1\\x02"));
        assertNull(PostgresArchive.decode("\\N"));
        assertEquals("\\N2", PostgresArchive.decode("\\\\N2"));
    }

    @Test
    void aBlockWithoutItsEndIsDamaged() {
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> PostgresArchive.copyRows(
                "COPY public.foundupsdb_shards (name) FROM stdin;\nb\n", "foundupsdb_shards"));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }
}
