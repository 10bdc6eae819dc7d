package dev.foundups.db.internal.config;

import org.jooq.SQLDialect;

/** The database products FoundUps DB runs on. Chosen by the URL, never by code. */
public enum Dialect {
    /** One file, WAL mode: the protocol's starting point. */
    SQLITE(SQLDialect.SQLITE),
    /** The protocol's scaling path. */
    POSTGRESQL(SQLDialect.POSTGRES);

    private final SQLDialect jooq;

    Dialect(SQLDialect jooq) {
        this.jooq = jooq;
    }

    /** @return the jOOQ dialect to render SQL for */
    public SQLDialect jooqDialect() {
        return jooq;
    }
}
