package dev.foundups.db.spring;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.PlatformModule;

/**
 * The platform modules of the application's database, as a bean: inject it and ask for a module by name; its
 * {@code dsl()} renders the module's generated tables under their physical names.
 *
 * <pre>
 * DSLContext dsl = modules.get("chat_rules").dsl();
 * </pre>
 */
public final class Modules {

    private final FoundupsDb db;

    Modules(FoundupsDb db) {
        this.db = db;
    }

    /**
     * A module's tables, created from the module's template when first registered.
     *
     * @param name the module name, such as {@code chat_rules}
     * @return the module; cheap to call again
     * @throws dev.foundups.db.FoundupsDbException INVALID_NAME; CONFIGURATION when the module has no template
     */
    public PlatformModule get(String name) {
        return db.module(name);
    }
}
