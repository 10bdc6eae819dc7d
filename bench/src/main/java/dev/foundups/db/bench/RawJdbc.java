package dev.foundups.db.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.Dialect;

/** A plain JDBC connection with the settings FoundUps DB gives its pooled ones: every baseline's connection. */
public final class RawJdbc {

    private RawJdbc() {
    }

    /** @return what {@code DataSources} gives every pooled SQLite connection */
    public static Properties sqliteProperties() {
        Properties props = new Properties();
        props.setProperty("journal_mode", "WAL");
        props.setProperty("synchronous", "NORMAL");
        props.setProperty("foreign_keys", "true");
        props.setProperty("busy_timeout", "10000");
        props.setProperty("transaction_mode", "IMMEDIATE");
        return props;
    }

    /**
     * @param url any URL FoundUps DB accepts
     * @return a connection with the pool's settings
     * @throws SQLException when it cannot connect
     */
    public static Connection connect(String url) throws SQLException {
        DatabaseUrl parsed = DatabaseUrl.parse(url, "url");
        Properties props = parsed.dialect() == Dialect.SQLITE ? sqliteProperties() : new Properties();
        parsed.user().ifPresent(u -> props.setProperty("user", u));
        parsed.password().ifPresent(p -> props.setProperty("password", p));
        return DriverManager.getConnection(parsed.jdbcUrl(), props);
    }
}
