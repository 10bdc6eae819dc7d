package com.example.inventory;

import static com.example.inventory.jooq.Tables.INVENTORY_ITEMS;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jooq.DSLContext;

import com.example.inventory.jooq.tables.records.InventoryItemsRecord;

import dev.foundups.db.FoundupsDb;

/**
 * The inventory module's database, written the way any FoundUps DB module is: typed queries with the classes
 * generated from this project's own template, on the module's context, never a table name.
 *
 * <pre>
 * try (FoundupsDb db = FoundupsDb.open()) {
 *     Inventory inventory = Inventory.of(db);          // creates modules_inventory_* on first use
 *     inventory.addItem("sku-1", "Widget", 3);
 *     inventory.lowStock(5);                           // [sku-1]
 * }
 * </pre>
 */
public final class Inventory {

    /** The module's name: its template is {@code db/foundups/templates/modules/inventory/} in this jar. */
    public static final String MODULE = "inventory";

    private final DSLContext dsl;

    private Inventory(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * Registers the module with the database (creating its tables on first use) and returns its database.
     *
     * @param db the open database
     * @return the module's database
     */
    public static Inventory of(FoundupsDb db) {
        return new Inventory(db.module(MODULE).dsl());
    }

    /**
     * Adds an item.
     *
     * @param sku      the item's unique stock-keeping unit
     * @param name     what it is
     * @param quantity how many are in stock
     * @return the new item's id
     */
    public long addItem(String sku, String name, int quantity) {
        return dsl.insertInto(INVENTORY_ITEMS)
                .set(INVENTORY_ITEMS.SKU, sku)
                .set(INVENTORY_ITEMS.NAME, name)
                .set(INVENTORY_ITEMS.QUANTITY, quantity)
                .returningResult(INVENTORY_ITEMS.ID)
                .fetchSingle()
                .value1();
    }

    /**
     * Changes an item's stock.
     *
     * @param sku   the item
     * @param delta how many arrived (positive) or left (negative)
     * @return whether the item exists
     */
    public boolean restock(String sku, int delta) {
        return dsl.update(INVENTORY_ITEMS)
                .set(INVENTORY_ITEMS.QUANTITY, INVENTORY_ITEMS.QUANTITY.plus(delta))
                .set(INVENTORY_ITEMS.UPDATED, Instant.now())
                .where(INVENTORY_ITEMS.SKU.eq(sku))
                .execute() == 1;
    }

    /**
     * @param sku the item
     * @return the item, if there is one
     */
    public Optional<InventoryItemsRecord> find(String sku) {
        return dsl.selectFrom(INVENTORY_ITEMS).where(INVENTORY_ITEMS.SKU.eq(sku)).fetchOptional();
    }

    /**
     * @param below the threshold
     * @return the items with fewer than {@code below} in stock, by SKU
     */
    public List<InventoryItemsRecord> lowStock(int below) {
        return dsl.selectFrom(INVENTORY_ITEMS)
                .where(INVENTORY_ITEMS.QUANTITY.lt(below))
                .orderBy(INVENTORY_ITEMS.SKU)
                .fetch();
    }
}
