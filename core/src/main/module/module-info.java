/**
 * FoundUps DB: the WSP 78 data layer. The exported packages are the API, kept compatible across versions:
 * <ul>
 *   <li>{@code dev.foundups.db}: {@code FoundupsDb} and its builder, namespace handles ({@code FoundUp},
 *       {@code PlatformModule}, {@code AgentMemory}), the catalog, compiled queries, reports, listeners, and
 *       {@code FoundupsDbException} with its error codes;</li>
 *   <li>{@code dev.foundups.db.copy}: copying a whole database, such as SQLite to PostgreSQL;</li>
 *   <li>{@code dev.foundups.db.modules.chatrules}: the worked example of a module;</li>
 *   <li>{@code dev.foundups.db.types}: the bindings that generated classes use (also a module author's own);</li>
 *   <li>{@code dev.foundups.db.jooq} and below: the classes generated from the changelogs.</li>
 * </ul>
 * Everything under {@code dev.foundups.db.internal} is machinery that may change in any release. On the class path
 * the same jar works unchanged; this descriptor only makes the line visible to the compiler.
 */
module dev.foundups.db {
    requires transitive java.sql;
    requires transitive org.jooq;
    requires dev.foundups.db.schema;
    requires com.zaxxer.hikari;
    requires com.fasterxml.jackson.core;
    requires liquibase.core;
    requires org.postgresql.jdbc;
    requires org.slf4j;
    requires org.xerial.sqlitejdbc;

    exports dev.foundups.db;
    exports dev.foundups.db.copy;
    exports dev.foundups.db.modules.chatrules;
    exports dev.foundups.db.types;
    exports dev.foundups.db.jooq;
    exports dev.foundups.db.jooq.tables;
    exports dev.foundups.db.jooq.tables.records;
}
