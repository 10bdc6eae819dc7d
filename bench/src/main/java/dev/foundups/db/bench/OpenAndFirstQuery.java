package dev.foundups.db.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import dev.foundups.db.FoundupsDb;

/** Child process of the scale benchmark: open the database and run one query, then exit. */
public final class OpenAndFirstQuery {

    private OpenAndFirstQuery() {
    }

    /**
     * @param args {@code fdb} or {@code raw}, then the database URL
     * @throws Exception on failure (non-zero exit)
     */
    public static void main(String[] args) throws Exception {
        if (args[0].equals("fdb")) {
            try (FoundupsDb db = FoundupsDb.configure().databaseUrl(args[1]).open()) {
                if (db.foundUp("fu_5").user("user1").isEmpty()) {
                    throw new IllegalStateException("fu_5 has no user1");
                }
            }
        } else {
            try (Connection c = RawJdbc.connect(args[1]); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT username FROM foundups_fu_5_users WHERE id = 'user1'")) {
                if (!rs.next()) {
                    throw new IllegalStateException("fu_5 has no user1");
                }
            }
        }
    }
}
