package dev.foundups.db.internal.dialect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.foundups.db.FoundupsDbException;

/** The one token an SQLite index or trigger definition changes when it is re-created under a new name. */
class SqliteTableObjectsTest {

    @Test
    void onlyTheNameAfterTheKeywordsIsReplaced() {
        assertEquals("CREATE INDEX \"foundups_b_content_user_idx\" ON \"foundups_b_content\"(user_id)",
                SqliteTableObjects.recreateSql("index", "CREATE INDEX foundups_a_content_user_idx ON "
                        + "\"foundups_b_content\"(user_id)", "foundups_a_content_user_idx",
                        "foundups_b_content_user_idx"));
        assertEquals("CREATE UNIQUE INDEX IF NOT EXISTS \"new\" ON t(\"old\") WHERE old > 0",
                SqliteTableObjects.recreateSql("index", "CREATE UNIQUE INDEX IF NOT EXISTS \"old\" ON t(\"old\") "
                        + "WHERE old > 0", "old", "new"));
        for (String quoted : new String[] {"[old]", "`old`", "'old'", "\"OLD\""}) {
            assertEquals("CREATE INDEX \"new\" ON t(x)",
                    SqliteTableObjects.recreateSql("index", "CREATE INDEX " + quoted + " ON t(x)", "old", "new"),
                    quoted);
        }
        assertEquals("CREATE TRIGGER \"new\" AFTER INSERT ON t BEGIN SELECT 1; END",
                SqliteTableObjects.recreateSql("trigger", "CREATE TRIGGER old AFTER INSERT ON t BEGIN SELECT 1; END",
                        "old", "new"));
    }

    @Test
    void aDefinitionThatDoesNotStartWithTheNameIsRefused() {
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> SqliteTableObjects.recreateSql("index", "CREATE INDEX other ON t(x)", "old", "new"));
        assertTrue(e.getMessage().startsWith("cannot re-create index old under its new name"), e.getMessage());
        assertThrows(FoundupsDbException.class,
                () -> SqliteTableObjects.recreateSql("index", "CREATE INDEX main.old ON t(x)", "main", "new"));
        assertThrows(FoundupsDbException.class,
                () -> SqliteTableObjects.recreateSql("index", "CREATE TABLE old (x)", "old", "new"));
    }
}
