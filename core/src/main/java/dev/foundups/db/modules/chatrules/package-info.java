/** The protocol's worked example module, {@code chat_rules}: a template for writing a module's database class. */
package dev.foundups.db.modules.chatrules;
