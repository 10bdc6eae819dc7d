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
 *
 * @param name the module's name, such as {@code chat_rules}
 * @param dsl  the module's long-lived, table-mapped context; do not close it
 */
public record PlatformModule(String name, DSLContext dsl) {

    @Override
    public String toString() {
        return "module " + name;
    }
}
