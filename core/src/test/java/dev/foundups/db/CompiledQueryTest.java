package dev.foundups.db;

import static dev.foundups.db.jooq.Tables.FOUNDUP_CONTENT;
import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.jooq.DSLContext;
import org.jooq.JSON;
import org.jooq.Param;
import org.jooq.Record;
import org.jooq.Record1;
import org.jooq.exception.DataAccessException;
import org.jooq.exception.TooManyRowsException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.jooq.tables.records.FoundupContentRecord;
import dev.foundups.db.jooq.tables.records.FoundupUsersRecord;
import dev.foundups.db.testing.Backend;

@ParameterizedClass
@EnumSource(Backend.class)
class CompiledQueryTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    FoundupsDb db;
    FoundUp acme;
    DSLContext dsl;

    @BeforeEach
    void open() {
        db = backend.open(dir);
        acme = db.foundUp("acme");
        dsl = acme.dsl();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private CompiledQuery<FoundupUsersRecord> userById() {
        return CompiledQuery.of(dsl, dsl.selectFrom(FOUNDUP_USERS)
                .where(FOUNDUP_USERS.ID.eq(DSL.param("id", FOUNDUP_USERS.ID))));
    }

    @Test
    void readsTheSameRecordsAsTheDsl() {
        acme.addUser("u1", "Alice");
        acme.addUser("u2", null);
        CompiledQuery<FoundupUsersRecord> byId = userById();

        for (String id : List.of("u1", "u2")) {
            FoundupUsersRecord viaDsl = dsl.selectFrom(FOUNDUP_USERS).where(FOUNDUP_USERS.ID.eq(id)).fetchSingle();
            FoundupUsersRecord compiled = byId.fetchOptional(id).orElseThrow();
            assertEquals(viaDsl, compiled);
            assertEquals(viaDsl.getCreatedAt(), compiled.getCreatedAt());
            assertFalse(compiled.changed(), "a fetched record starts unchanged");
        }
        assertNull(byId.fetchOptional("u2").orElseThrow().getUsername());
        assertTrue(byId.fetchOptional("nobody").isEmpty());
        assertEquals(List.of("id"), byId.parameters());
        // The mapping applies: the SQL names this FoundUp's table.
        assertTrue(byId.sql().contains("foundups_acme_users"), byId.sql());

        // Attached to the namespace: the record can be stored back as any fetched record.
        FoundupUsersRecord alice = byId.fetchSingle("u1");
        alice.setUsername("Alicia");
        alice.store();
        assertEquals("Alicia", acme.user("u1").orElseThrow().getUsername());
    }

    @Test
    void writesBindEveryTypeAndReturnValues() {
        acme.addUser("u1", "Alice");
        Param<JSON> metadata = DSL.param("metadata", FOUNDUP_CONTENT.METADATA);
        CompiledQuery<Record1<Long>> insert = CompiledQuery.of(dsl, dsl.insertInto(FOUNDUP_CONTENT)
                .set(FOUNDUP_CONTENT.USER_ID, DSL.param("user", FOUNDUP_CONTENT.USER_ID))
                .set(FOUNDUP_CONTENT.CONTENT, DSL.param("content", FOUNDUP_CONTENT.CONTENT))
                .set(FOUNDUP_CONTENT.METADATA, metadata)
                .set(FOUNDUP_CONTENT.CREATED_AT, DSL.param("at", FOUNDUP_CONTENT.CREATED_AT))
                .returningResult(FOUNDUP_CONTENT.ID));
        Instant at = Instant.parse("2026-11-27T08:30:01.234567Z");
        long first = insert.fetchSingle("u1", "hello", JSON.valueOf("{\"a\":1}"), at).value1();
        long second = insert.fetchSingle("u1", "again", null, at).value1();
        assertEquals(first + 1, second);

        FoundupContentRecord row = dsl.selectFrom(FOUNDUP_CONTENT).where(FOUNDUP_CONTENT.ID.eq(first)).fetchSingle();
        assertEquals("hello", row.getContent());
        assertEquals(JSON.valueOf("{\"a\":1}").data().replace(" ", ""), row.getMetadata().data().replace(" ", ""));
        assertEquals(Instant.parse("2026-11-27T08:30:01.234Z"), row.getCreatedAt(), "stored at millisecond precision");
        assertNull(dsl.selectFrom(FOUNDUP_CONTENT).where(FOUNDUP_CONTENT.ID.eq(second)).fetchSingle().getMetadata());

        // A constant and a parameter used twice; execute counts the rows changed.
        Param<Boolean> active = DSL.param("active", FOUNDUP_USERS.ACTIVE);
        CompiledQuery<Record> deactivate = CompiledQuery.of(dsl, dsl.update(FOUNDUP_USERS)
                .set(FOUNDUP_USERS.ACTIVE, active)
                .set(FOUNDUP_USERS.USERNAME, "renamed")
                .where(FOUNDUP_USERS.ACTIVE.ne(active)));
        assertEquals(List.of("active"), deactivate.parameters());
        assertEquals(1, deactivate.execute(false));
        assertEquals(0, deactivate.execute(false));
        FoundupUsersRecord user = acme.user("u1").orElseThrow();
        assertFalse(user.getActive());
        assertEquals("renamed", user.getUsername());
    }

    @Test
    void badValuesAreRefusedNamingTheParameter() {
        CompiledQuery<FoundupUsersRecord> byId = userById();
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> byId.fetch("a", "b"));
        assertTrue(count.getMessage().contains("takes 1 value(s), [id], but was given 2"), count.getMessage());

        CompiledQuery<Record> byCreated = CompiledQuery.of(dsl, dsl.deleteFrom(FOUNDUP_USERS)
                .where(FOUNDUP_USERS.CREATED_AT.lt(DSL.param("before", FOUNDUP_USERS.CREATED_AT))));
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> byCreated.execute(new Object()));
        assertTrue(type.getMessage().contains("parameter 'before' takes a Instant"), type.getMessage());
    }

    @Test
    void typesItCannotBindAreRefusedWhenCompiled() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompiledQuery.of(dsl,
                dsl.selectFrom(FOUNDUP_USERS).where(DSL.field("x", SQLDataType.LOCALDATE)
                        .eq(DSL.param("day", SQLDataType.LOCALDATE)))));
        assertTrue(e.getMessage().contains("parameter 'day' is of type java.time.LocalDate"), e.getMessage());
    }

    @Test
    void aTransactionsContextCannotCompile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dsl.transaction(tx ->
                CompiledQuery.of(tx.dsl(), tx.dsl().selectFrom(FOUNDUP_USERS))));
        assertTrue(e.getMessage().contains("not on a transaction's"), e.getMessage());
    }

    @Test
    void moreThanOneRowIsRefusedByFetchOptional() {
        acme.addUser("u1", "Same");
        acme.addUser("u2", "Same");
        CompiledQuery<FoundupUsersRecord> byName = CompiledQuery.of(dsl, dsl.selectFrom(FOUNDUP_USERS)
                .where(FOUNDUP_USERS.USERNAME.eq(DSL.param("name", FOUNDUP_USERS.USERNAME)))
                .orderBy(FOUNDUP_USERS.ID));
        assertThrows(TooManyRowsException.class, () -> byName.fetchOptional("Same"));
        assertEquals(List.of("u1", "u2"), byName.fetch("Same").stream().map(FoundupUsersRecord::getId).toList());
    }

    @Test
    void databaseErrorsAreDataAccessExceptions() {
        acme.addUser("u1", "Alice");
        CompiledQuery<Record> insert = CompiledQuery.of(dsl, dsl.insertInto(FOUNDUP_USERS)
                .set(FOUNDUP_USERS.ID, DSL.param("id", FOUNDUP_USERS.ID)));
        DataAccessException e = assertThrows(DataAccessException.class, () -> insert.execute("u1"));
        assertTrue(e.getMessage().contains("foundups_acme_users"), e.getMessage());
        // The statement stays usable after a failure.
        assertEquals(1, insert.execute("u2"));

        // Its namespace dropped, the statement fails cleanly.
        db.catalog().drop(dev.foundups.db.NamespaceKind.FOUNDUP, "acme");
        assertThrows(DataAccessException.class, () -> insert.execute("u3"));
    }

    @Test
    void threadsShareOneCompiledQuery() throws Exception {
        acme.addUser("u1", "Alice");
        CompiledQuery<Record1<Long>> insert = CompiledQuery.of(dsl, dsl.insertInto(FOUNDUP_CONTENT)
                .set(FOUNDUP_CONTENT.USER_ID, "u1")
                .set(FOUNDUP_CONTENT.CONTENT, DSL.param("content", FOUNDUP_CONTENT.CONTENT))
                .returningResult(FOUNDUP_CONTENT.ID));
        CompiledQuery<FoundupUsersRecord> byId = userById();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    List<Long> ids = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        ids.add(insert.fetchSingle("t" + thread + "-" + i).value1());
                        assertEquals("Alice", byId.fetchSingle("u1").getUsername());
                    }
                    return ids;
                }));
            }
            Set<Long> ids = new HashSet<>();
            for (Future<List<Long>> result : results) {
                ids.addAll(result.get());
            }
            assertEquals(800, ids.size(), "every insert got its own id");
            assertEquals(800, dsl.fetchCount(FOUNDUP_CONTENT));
        } finally {
            pool.shutdownNow();
        }
        // One cache per pooled connection that ran them, not one per call.
        StatementCaches caches = (StatementCaches) db.dsl().configuration().data(StatementCaches.class.getName());
        assertTrue(caches.connections() <= 11, "caches: " + caches.connections());
    }

    @Test
    void itRunsOutsideTheCallersTransaction() {
        CompiledQuery<Record> insert = CompiledQuery.of(dsl, dsl.insertInto(FOUNDUP_USERS)
                .set(FOUNDUP_USERS.ID, DSL.param("id", FOUNDUP_USERS.ID)));
        RuntimeException e = assertThrows(RuntimeException.class, () -> dsl.transaction(tx -> {
            tx.dsl().insertInto(FOUNDUP_USERS).set(FOUNDUP_USERS.ID, "inside").execute();
            insert.execute("outside");
            throw new IllegalStateException("roll back");
        }));
        if (backend == Backend.SQLITE) {
            // One writer: the thread's own transaction holds the write lock, so the write could only wait for itself.
            assertEquals(FoundupsDbException.ErrorCode.BUSY, ((FoundupsDbException) e).errorCode());
            assertTrue(acme.users().isEmpty(), "the transaction rolled back");
        } else {
            // Its own connection, autocommitted: it stays when the transaction rolls back.
            assertEquals("roll back", e.getMessage());
            assertEquals(List.of("outside"), acme.users().stream().map(FoundupUsersRecord::getId).toList());
        }
    }
}
