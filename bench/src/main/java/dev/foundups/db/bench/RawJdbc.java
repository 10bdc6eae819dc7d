package dev.foundups.db.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import dev.foundups.db.config.DatabaseUrl;
import dev.foundups.db.config.Dialect;

/** A plain JDBC connection with the same settings FoundUps DB gives its pooled ones: the baseline's. */
final class RawJdbc {

    private RawJdbc() {
    }

    static Connection connect(String url) throws SQLException {
        DatabaseUrl parsed = DatabaseUrl.parse(url, "url");
        Properties props = new Properties();
        parsed.user().ifPresent(u -> props.setProperty("user", u));
        parsed.password().ifPresent(p -> props.setProperty("password", p));
        if (parsed.dialect() == Dialect.SQLITE) {
            props.setProperty("journal_mode", "WAL");
            props.setProperty("synchronous", "NORMAL");
            props.setProperty("foreign_keys", "true");
            props.setProperty("busy_timeout", "10000");
        }
        return DriverManager.getConnection(parsed.jdbcUrl(), props);
    }
}
