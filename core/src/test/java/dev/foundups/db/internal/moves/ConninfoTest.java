package dev.foundups.db.internal.moves;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.naming.SqlIdentifier;

/** The subscription's connection string: libpq quoting, SQL quoting, and a password that never shows. */
class ConninfoTest {

    @Test
    void aPasswordWithQuotesBackslashesAndSpacesIsQuotedForLibpqThenForSql() {
        Conninfo c = Conninfo.of(DatabaseUrl.parse("postgresql://fu:p%27w%5C%20x@db.example:6543/foundups", "url"));
        assertEquals("host='db.example' port='6543' dbname='foundups' user='fu' password='p\\'w\\\\ x' "
                + "connect_timeout='10'", c.text());
        assertEquals("'host=''db.example'' port=''6543'' dbname=''foundups'' user=''fu'' password=''p\\''w\\\\ x'' "
                + "connect_timeout=''10'''", c.sqlLiteral());
        assertFalse(c.toString().contains("p\\'w"), c.toString());
        assertEquals("host='db.example' port='6543' dbname='foundups' user='fu' password='****' "
                + "connect_timeout='10'", c.toString());
    }

    @Test
    void theJdbcFormKeepsItsParametersAndSeveralHostsAskForThePrimary() {
        Conninfo c = Conninfo.of(DatabaseUrl.parse("jdbc:postgresql://h1:5432,[::1]:5433/db?user=u&password=s"
                + "&sslmode=require", "url"));
        assertEquals("host='h1,::1' port='5432,5433' dbname='db' user='u' password='s' sslmode='require' "
                + "target_session_attrs='read-write' connect_timeout='10'", c.text());
    }

    @Test
    void aUrlWithoutADatabaseIsRefused() {
        assertThrows(FoundupsDbException.class, () -> Conninfo.of(DatabaseUrl.parse("jdbc:postgresql://h1/", "url")));
    }

    @Test
    void identifiersOutsideTheStrictRuleAreRefused() {
        assertEquals("\"fdbmove_foundups_x\"", SqlIdentifier.quoted("publication", "fdbmove_foundups_x"));
        for (String bad : new String[] {"Upper", "a-b", "a\"b", "a b", "", "x".repeat(64)}) {
            assertThrows(IllegalArgumentException.class, () -> SqlIdentifier.require("table", bad), bad);
        }
    }
}
