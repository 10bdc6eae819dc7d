package dev.foundups.db.internal.dialect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;

import dev.foundups.db.Dialect;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.sharding.SetRestoreOptions;

/** What each dialect refuses that only PostgreSQL has, and how a jOOQ dialect finds its strategy: no server needed. */
class DialectStrategyTest {

    private static final DialectStrategy SQLITE = DialectStrategy.of(Dialect.SQLITE);
    private static final DialectStrategy POSTGRES = DialectStrategy.of(Dialect.POSTGRESQL);

    @Test
    void sqliteRefusesWhatOnlyPostgresHasNamingTheSettingAndTheFix() {
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> SQLITE.requirePostgres("the URL of shard 'a'", "a shard must be a PostgreSQL database"));
        assertEquals(ErrorCode.CONFIGURATION, e.errorCode());
        assertEquals("the URL of shard 'a' is not a PostgreSQL URL: it names a SQLite database; a shard must be a "
                + "PostgreSQL database", e.getMessage());
        FoundupsDbException backup = assertThrows(FoundupsDbException.class,
                () -> SQLITE.requirePostgres(ErrorCode.BACKUP, "the URL of shard 'a' in the backup's directory", "x"));
        assertEquals(ErrorCode.BACKUP, backup.errorCode());
        POSTGRES.requirePostgres("the URL of shard 'a'", "never said");
        POSTGRES.requirePostgres(ErrorCode.BACKUP, "the URL of shard 'a'", "never said");
        assertNull(SQLITE.openSharding(null), "SQLite has no shards to open");
    }

    @Test
    void aSqliteRestoreTargetIsRefusedWhereItIsGiven() {
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> SetRestoreOptions.checkShardUrl("s2", "sqlite:///s2.db"));
        assertEquals(ErrorCode.CONFIGURATION, e.errorCode());
        assertTrue(e.getMessage().startsWith("the restore URL of shard 's2' is not a PostgreSQL URL"), e.getMessage());
        assertTrue(e.getMessage().contains("postgresql://user:password@host:5432/database"), e.getMessage());
        DatabaseUrl ok = SetRestoreOptions.checkShardUrl("s2", "postgresql://u:secret@h:5432/s2");
        assertEquals(Dialect.POSTGRESQL, ok.dialect());
    }

    @Test
    void aJooqDialectFindsTheStrategyOfItsFamily() {
        assertSame(SQLITE, DialectStrategy.of(SQLDialect.SQLITE));
        assertSame(POSTGRES, DialectStrategy.of(SQLDialect.POSTGRES));
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> DialectStrategy.of(SQLDialect.H2));
        assertEquals(ErrorCode.CONFIGURATION, e.errorCode());
    }
}
