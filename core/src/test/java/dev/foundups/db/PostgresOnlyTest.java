package dev.foundups.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.foundups.db.FoundupsDbException.ErrorCode;

/** Behaviour that exists on PostgreSQL only: a server that can be unreachable. */
class PostgresOnlyTest {

    @Test
    void anUnreachableServerIsAConnectionErrorWithoutThePassword() {
        FoundupsDbException e = assertThrows(FoundupsDbException.class, () -> FoundupsDb.configure()
                .databaseUrl("postgresql://fu:s3cret@127.0.0.1:1/foundups").open());
        assertEquals(ErrorCode.DB_CONNECTION, e.errorCode());
        assertTrue(e.getMessage().startsWith("cannot connect to jdbc:postgresql://127.0.0.1:1/foundups (user fu, "
                + "password ****)"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"));
    }

}
