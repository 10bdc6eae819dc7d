package dev.foundups.db.internal.moves;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * A stand-in for the shard directory, until the real one (its own changeset and routing) is merged: placements in
 * a table of the directory database that the test makes itself, with the same contract as {@link Moves.Directory}
 * (epoch + 1 and NOTIFY in the flip's transaction). The drained shard's placements go to {@code main}.
 */
final class TestDirectory implements Moves.Directory {

    private final DatabaseUrl directory;
    private final Map<String, String> shards;
    private final Consumer<String> onFlip;

    /**
     * @param shards shard name to URL; {@code main} is the directory's database
     * @param onFlip told {@code KIND:name} after each flip committed (the test's writer waits for it)
     */
    TestDirectory(Map<String, String> shards, Consumer<String> onFlip) {
        this.directory = DatabaseUrl.parse(shards.get("main"), "main");
        this.shards = Map.copyOf(shards);
        this.onFlip = onFlip;
        update("CREATE TABLE IF NOT EXISTS test_placements (kind TEXT, name TEXT, shard TEXT NOT NULL, "
                + "epoch BIGINT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (kind, name))");
    }

    /** Places a name on a shard, as creating it there would. */
    void place(String kind, String name, String shard) {
        update("INSERT INTO test_placements VALUES (?, ?, ?, 1, 'ACTIVE') ON CONFLICT (kind, name) DO UPDATE "
                + "SET shard = excluded.shard, state = 'ACTIVE', epoch = test_placements.epoch + 1", kind, name, shard);
    }

    @Override
    public Moves.Placement placement(String kind, String name) {
        List<Moves.Placement> found = select("WHERE kind = ? AND name = ?", kind, name);
        return found.isEmpty() ? null : found.get(0);
    }

    @Override
    public DatabaseUrl shardUrl(String shard) {
        String url = shards.get(shard);
        if (url == null) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, "no shard named '" + shard + "'");
        }
        return DatabaseUrl.parse(url, "shard " + shard);
    }

    @Override
    public void markMoving(String kind, String name) {
        update("UPDATE test_placements SET state = 'MOVING' WHERE kind = ? AND name = ?", kind, name);
    }

    @Override
    public void flip(String kind, String name, String targetShard) {
        update("WITH v (kind, name, shard) AS (VALUES (?, ?, ?)) UPDATE test_placements p SET shard = v.shard, "
                + "state = 'ACTIVE', epoch = p.epoch + 1 FROM v WHERE p.kind = v.kind AND p.name = v.name "
                + "AND NOT (p.shard = v.shard AND p.state = 'ACTIVE')", kind, name, targetShard);
        onFlip.accept(kind + ":" + name);
    }

    @Override
    public void restore(String kind, String name) {
        update("UPDATE test_placements SET state = 'ACTIVE', epoch = epoch + 1 WHERE kind = ? AND name = ?", kind,
                name);
    }

    @Override
    public List<Moves.Placement> placementsOn(String shard) {
        return select("WHERE shard = ? ORDER BY kind, name", shard);
    }

    @Override
    public String targetFor(String kind, String name, String drainedShard) {
        return "main".equals(drainedShard) ? "s2" : "main";
    }

    private List<Moves.Placement> select(String where, String... values) {
        try (Connection c = connect(); PreparedStatement st = c.prepareStatement(
                "SELECT kind, name, shard, epoch, state FROM test_placements " + where)) {
            for (int i = 0; i < values.length; i++) {
                st.setString(i + 1, values[i]);
            }
            List<Moves.Placement> found = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    found.add(new Moves.Placement(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                            rs.getString(5)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a change with NOTIFY in its transaction, as the real directory does. */
    private void update(String sql, String... values) {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement(sql)) {
                for (int i = 0; i < values.length; i++) {
                    st.setString(i + 1, values[i]);
                }
                st.execute();
            }
            if (values.length >= 2) {
                try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify('foundupsdb_placements', ?)")) {
                    notify.setString(1, values[0] + ":" + values[1]);
                    notify.execute();
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        directory.user().ifPresent(u -> p.setProperty("user", u));
        directory.password().ifPresent(pw -> p.setProperty("password", pw));
        return DriverManager.getConnection(directory.jdbcUrl(), p);
    }
}
