package com.example.inventory;

import java.nio.file.Path;

/** The module on SQLite: a database file in the test's folder. */
class SqliteInventoryTest extends InventoryContract {

    @Override
    String newDatabaseUrl(Path dir) {
        return "jdbc:sqlite:" + dir.resolve("foundups.db");
    }
}
