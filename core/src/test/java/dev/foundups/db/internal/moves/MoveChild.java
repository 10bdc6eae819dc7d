package dev.foundups.db.internal.moves;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.config.DataSources;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * The child process of the kill tests: runs one move and stops at a given step and point, printing
 * {@code STOPPED STEP:POINT} and then waiting to be killed (SIGKILL, by the test). Prints {@code FINISHED} if the
 * move ended without reaching it.
 *
 * <p>Arguments: {@code KIND NAME TARGET STEP:POINT OFFLINE(true|false) shard=url...}.
 */
public final class MoveChild {

    private MoveChild() {
    }

    /**
     * @param args see the class comment
     * @throws InterruptedException never: it sleeps until killed
     */
    public static void main(String[] args) throws InterruptedException {
        String kind = args[0];
        String name = args[1];
        String target = args[2];
        String stopAt = args[3];
        boolean offline = Boolean.parseBoolean(args[4]);
        Map<String, String> shards = new LinkedHashMap<>();
        for (int i = 5; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            shards.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        try (HikariDataSource pool = DataSources.open(DatabaseUrl.parse(shards.get("main"), "main"), 2,
                Duration.ofSeconds(10), 64L << 20)) {
            Moves moves = new Moves(new TestDirectory(shards, flipped -> { }), DSL.using(pool, SQLDialect.POSTGRES),
                    MoveChild.class.getClassLoader()).forceOffline(offline).withHook((label, step, point) -> {
                        if (stopAt.equals(step + ":" + point)) {
                            System.out.println("STOPPED " + stopAt);
                            System.out.flush();
                            sleepForever();
                        }
                    });
            if (Moves.AGENT.equals(kind)) {
                moves.moveAgent(name, target);
            } else {
                moves.move(NamespaceKind.valueOf(kind), name, target);
            }
            System.out.println("FINISHED");
        }
    }

    private static void sleepForever() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
