package dev.foundups.db.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.foundups.db.Dialect;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

class DatabaseUrlTest {

    @Test
    void unsetMeansTheProtocolsSqliteFile() {
        DatabaseUrl url = DatabaseUrl.parse(null, "DATABASE_URL");
        assertEquals(Dialect.SQLITE, url.dialect());
        assertEquals(Path.of("data/foundups.db").toAbsolutePath().normalize(), url.sqlitePath().orElseThrow());
        assertEquals(url, DatabaseUrl.parse("  ", "DATABASE_URL"));
    }

    @Test
    void sqliteForms() {
        Path relative = Path.of("var/x.db").toAbsolutePath().normalize();
        assertEquals(relative, DatabaseUrl.parse("sqlite:///var/x.db", "S").sqlitePath().orElseThrow());
        assertEquals(Path.of("/tmp/x.db"), DatabaseUrl.parse("sqlite:////tmp/x.db", "S").sqlitePath().orElseThrow());
        assertEquals(Path.of("/tmp/x.db"), DatabaseUrl.parse("jdbc:sqlite:/tmp/x.db", "S").sqlitePath().orElseThrow());
        assertEquals("jdbc:sqlite:/tmp/x.db", DatabaseUrl.parse("jdbc:sqlite:/tmp/x.db", "S").jdbcUrl());
    }

    @Test
    void libpqFormsBecomeJdbcWithCredentialsApart() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://fu:s%40cret@db.local:5433/foundups?sslmode=require", "S");
        assertEquals(Dialect.POSTGRESQL, url.dialect());
        assertEquals("jdbc:postgresql://db.local:5433/foundups?sslmode=require", url.jdbcUrl());
        assertEquals(Optional.of("fu"), url.user());
        assertEquals(Optional.of("s@cret"), url.password(), "percent-encoding is decoded");
        DatabaseUrl short_ = DatabaseUrl.parse("postgres://localhost/foundups", "S");
        assertEquals("jdbc:postgresql://localhost/foundups", short_.jdbcUrl());
        assertEquals(Optional.empty(), short_.user());
        assertEquals(Dialect.POSTGRESQL, DatabaseUrl.parse("jdbc:postgresql://h:5432/d?user=u", "S").dialect());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql://u:p@h/d", "sqlite://data/x.db", "jdbc:sqlite::memory:", "sqlite:///",
        "postgresql://u:p@/db", "postgresql://u:p@host", "foundups.db", "jdbc:sqlite:x.db?journal_mode=DELETE",
        "jdbc:h2:mem:x"})
    void anythingElseFailsNamingTheSettingAndTheAcceptedForms(String value) {
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> DatabaseUrl.parse(value, "DATABASE_URL (environment)"));
        assertEquals(ErrorCode.CONFIGURATION, e.errorCode());
        assertTrue(e.getMessage().startsWith("DATABASE_URL (environment) '"), e.getMessage());
        assertTrue(e.getMessage().contains("Accepted forms: sqlite:///relative/path.db"), e.getMessage());
        assertFalse(e.getMessage().contains(":p@"), "password shown: " + e.getMessage());
    }

    @Test
    void passwordsAreMaskedEverywhere() {
        assertEquals("postgresql://fu:****@h/d", DatabaseUrl.mask("postgresql://fu:secret@h/d"));
        assertEquals("jdbc:postgresql://h/d?user=u&password=****&ssl=true",
                DatabaseUrl.mask("jdbc:postgresql://h/d?user=u&password=secret&ssl=true"));
        DatabaseUrl url = DatabaseUrl.parse("postgresql://fu:secret@h/d", "S");
        assertFalse(url.toString().contains("secret"), url.toString());
        assertFalse(DatabaseUrl.parse("jdbc:postgresql://h/d?password=secret", "S").toString().contains("secret"));
    }
}
