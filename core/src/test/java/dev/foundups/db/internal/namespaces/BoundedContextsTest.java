package dev.foundups.db.internal.namespaces;

import static dev.foundups.db.jooq.Tables.FOUNDUP_USERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.schema.SchemaLayout;
import dev.foundups.db.testing.Backend;

/** The namespace contexts are a bounded cache: evicted ones keep working, and the next call builds a new one. */
@ParameterizedClass
@EnumSource(Backend.class)
class BoundedContextsTest {

    @Parameter
    Backend backend;

    @TempDir
    Path dir;

    @Test
    void contextsPastTheBoundAreEvictedAndRebuiltWorking() {
        String url = backend.newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            Namespaces namespaces = new Namespaces(db.dsl(), DatabaseUrl.parse(url, "url").strategy(),
                    new TemplateRegistry(db.dialect(), getClass().getClassLoader(), db.dsl()), 1, null, 4);
            List<DSLContext> held = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                DSLContext context = namespaces.context(NamespaceKind.FOUNDUP, "fu_" + i,
                        SchemaLayout.FOUNDUP_TEMPLATE);
                context.insertInto(FOUNDUP_USERS).set(FOUNDUP_USERS.ID, "u").set(FOUNDUP_USERS.USERNAME, "n" + i)
                        .execute();
                held.add(context);
                assertTrue(namespaces.cachedContexts() <= 5, "bounded: " + namespaces.cachedContexts());
            }
            // A context evicted long ago still works for whoever holds it, on its own namespace's tables.
            assertEquals("n0", held.get(0).select(FOUNDUP_USERS.USERNAME).from(FOUNDUP_USERS).fetchOne().value1());
            // Asking again builds a new one from the catalog; it finds the existing namespace and its rows.
            DSLContext rebuilt = namespaces.context(NamespaceKind.FOUNDUP, "fu_0", SchemaLayout.FOUNDUP_TEMPLATE);
            assertNotSame(held.get(0), rebuilt);
            assertEquals("n0", rebuilt.select(FOUNDUP_USERS.USERNAME).from(FOUNDUP_USERS).fetchOne().value1());
            // The most recent ones are still cached.
            assertSame(held.get(11), namespaces.context(NamespaceKind.FOUNDUP, "fu_11",
                    SchemaLayout.FOUNDUP_TEMPLATE));
            assertEquals(12, namespaces.list().size(), "no namespace was created twice");
        }
    }
}
