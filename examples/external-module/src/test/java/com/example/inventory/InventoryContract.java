package com.example.inventory;

import static com.example.inventory.jooq.Tables.INVENTORY_ITEMS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.example.inventory.jooq.tables.records.InventoryItemsRecord;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.NamespaceKind;

/**
 * What the module must do on every dialect FoundUps DB runs on; each dialect is a small subclass.
 */
abstract class InventoryContract {

    @TempDir
    Path dir;

    /** @return the URL of a new, empty database */
    abstract String newDatabaseUrl(Path dir) throws Exception;

    @Test
    void typedQueriesRunOnTheModulesOwnTables() throws Exception {
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(newDatabaseUrl(dir)).open()) {
            Inventory inventory = Inventory.of(db);
            Instant before = Instant.now().minus(Duration.ofMinutes(1));
            long widget = inventory.addItem("sku-1", "Widget", 3);
            inventory.addItem("sku-2", "Gadget", 40);
            assertTrue(inventory.restock("sku-2", -38));
            assertFalse(inventory.restock("sku-9", 1));

            List<InventoryItemsRecord> low = inventory.lowStock(5);
            assertEquals(List.of("sku-1", "sku-2"), low.stream().map(InventoryItemsRecord::getSku).toList());
            assertEquals(widget, low.get(0).getId());
            assertEquals(2, low.get(1).getQuantity());
            // timestamptz on PostgreSQL, canonical UTC text on SQLite: an Instant either way.
            assertTrue(low.get(1).getUpdated().isAfter(before), () -> "updated " + low.get(1).getUpdated());

            // The generated class names the template table; the module's context renders its namespace's table.
            assertEquals("inventory_items", INVENTORY_ITEMS.getName());
            assertEquals(2, db.dsl().fetchCount(DSL.table(DSL.name("modules_inventory_items"))));
        }
    }

    @Test
    void theModuleIsRegisteredOnceAndItsRowsStay() throws Exception {
        String url = newDatabaseUrl(dir);
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            Inventory.of(db).addItem("sku-1", "Widget", 1);
        }
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(url).open()) {
            assertEquals("Widget", Inventory.of(db).find("sku-1").orElseThrow().getName());
            assertTrue(db.namespaces().stream().anyMatch(n -> n.kind() == NamespaceKind.MODULE
                    && n.name().equals(Inventory.MODULE)), () -> db.namespaces().toString());
        }
    }
}
