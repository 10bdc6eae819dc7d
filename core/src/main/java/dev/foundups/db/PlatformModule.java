package dev.foundups.db;

import org.jooq.DSLContext;

/**
 * A platform module's namespace, {@code modules_<name>_*}. Its {@link #dsl()} renders the module's generated
 * template tables under their physical names, so module code writes typed queries and never a table name:
 *
 * <pre>
 * DSLContext dsl = db.module("chat_rules").dsl();
 * dsl.selectFrom(CHAT_RULES_TIMEOUTS).where(CHAT_RULES_TIMEOUTS.TARGET.eq("troll456")).fetch();
 * // SELECT ... FROM "modules_chat_rules_timeouts" WHERE ...
 * </pre>
 */
public final class PlatformModule {

    private final String name;
    private final DSLContext dsl;

    PlatformModule(String name, DSLContext dsl) {
        this.name = name;
        this.dsl = dsl;
    }

    /** @return the module's name, such as {@code chat_rules} */
    public String name() {
        return name;
    }

    /** @return the module's long-lived, table-mapped context; do not close it */
    public DSLContext dsl() {
        return dsl;
    }

    @Override
    public String toString() {
        return "module " + name;
    }
}
