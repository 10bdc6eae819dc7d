package dev.foundups.db.bench;

import java.util.List;

import dev.foundups.db.NamespaceKind;
import dev.foundups.db.Dialect;
import dev.foundups.db.internal.namespaces.Template;
import dev.foundups.db.internal.namespaces.TemplateRegistry;

/**
 * The raw JDBC baseline's SQL: the statements FoundUps DB's typed API renders for each op (seen through a jOOQ
 * execute listener), as constant text, and the FoundUp template's DDL as the library renders it for the dialect
 * ({@link Template#statementsFor}). Dialects differ only in how a JSON parameter is cast and in the DDL's types.
 */
enum RawSql {
    SQLITE("json(?)", "?", Dialect.SQLITE),
    POSTGRESQL("cast(? as json)", "cast(? as timestamp(3) with time zone)", Dialect.POSTGRESQL);

    final String upsertModerator;
    final String insertTimeout;
    final String selectModerator = "select id, name, points, data from modules_chat_rules_moderators where id = ?";
    final String insertPattern;
    final String upsertError;
    final String insertNamespace;
    private final Dialect dialect;
    private volatile Template foundUpTemplate;

    RawSql(String json, String timestamp, Dialect dialect) {
        this.upsertModerator = "insert into modules_chat_rules_moderators (id, name, points, data) values (?, ?, ?, "
                + json + ") on conflict (id) do update set name = ?, points = ?, data = " + json;
        this.insertTimeout = "insert into modules_chat_rules_timeouts (mod_id, target, duration) values (?, ?, ?)"
                + " returning id";
        this.insertPattern = "insert into agents_memory (agent_id, pattern_type, pattern_data) values (?, ?, " + json
                + ") returning id";
        this.upsertError = "insert into agents_errors (error_hash, error_type, solution, occurrences) values (?, ?, "
                + json + ", ?) on conflict (error_hash) do update set occurrences = (agents_errors.occurrences + ?)"
                + " returning occurrences";
        this.insertNamespace = "insert into foundupsdb_namespaces (kind, name, template, table_prefix, state,"
                + " template_version, created_at, updated_at) values (?, ?, ?, ?, ?, ?, " + timestamp + ", "
                + timestamp + ") on conflict (kind, name) do nothing";
        this.dialect = dialect;
    }

    /**
     * @param prefix a generated FoundUp table prefix such as {@code foundups_fu7_}
     * @return the template's DDL for it
     */
    List<String> foundUpDdl(String prefix) {
        Template template = foundUpTemplate;
        if (template == null) {
            // The library's own rendering of the changelog: the DDL is never written out a second time here.
            template = new TemplateRegistry(dialect, RawSql.class.getClassLoader())
                    .require(NamespaceKind.FOUNDUP, "foundup");
            foundUpTemplate = template;
        }
        return template.statementsFor(checked(prefix));
    }

    /** @return the insert of a FoundUp's user, into the table {@link #foundUpDdl} made under that prefix */
    static String insertUser(String prefix) {
        return "insert into " + checked(prefix) + "users (id, username) values (?, ?)";
    }

    /** Table names are the one part of this SQL that is not constant: only generated prefixes get in. */
    private static String checked(String prefix) {
        if (!prefix.matches("foundups_fu[0-9]+_")) {
            throw new IllegalArgumentException("not a benchmark FoundUp prefix: " + prefix);
        }
        return prefix;
    }
}
