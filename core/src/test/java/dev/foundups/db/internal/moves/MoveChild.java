package dev.foundups.db.internal.moves;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.NamespaceKind;
import dev.foundups.db.internal.config.DataSources;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * The child process of the kill tests: runs moves one after the other, each in a thread of its own that stops at
 * its given step and point and stays there (holding whatever the move holds: connections, locks, an open
 * transaction), until the test kills the whole process with SIGKILL. So one process dies at many points at once.
 *
 * <p>Arguments: {@code shard:NAME=URL} for each shard, then {@code move:KIND,NAME,TARGET,STEP:POINT,OFFLINE} for
 * each move, in the order they run. Prints {@code STOPPED NAME STEP:POINT} for each (or {@code ENDED NAME ...}
 * when the move ended without reaching it), then {@code ALL STOPPED}.
 */
public final class MoveChild {

    private MoveChild() {
    }

    /**
     * @param args see the class comment
     * @throws InterruptedException never: it waits until killed
     */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> shards = new LinkedHashMap<>();
        List<String[]> moves = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("shard:")) {
                int eq = arg.indexOf('=');
                shards.put(arg.substring("shard:".length(), eq), arg.substring(eq + 1));
            } else {
                moves.add(arg.substring("move:".length()).split(","));
            }
        }
        HikariDataSource pool = DataSources.open(DatabaseUrl.parse(shards.get("main"), "main"), moves.size() + 4,
                Duration.ofSeconds(10), 64L << 20);
        Moves engine = new Moves(new TestDirectory(shards, flipped -> { }), DSL.using(pool, SQLDialect.POSTGRES),
                MoveChild.class.getClassLoader());
        for (String[] move : moves) {
            run(engine, move[0], move[1], move[2], move[3], Boolean.parseBoolean(move[4]));
        }
        System.out.println("ALL STOPPED");
        System.out.flush();
        new CountDownLatch(1).await(); // until killed
    }

    /** Starts one move and returns once it has stopped at its point (or ended). */
    private static void run(Moves engine, String kind, String name, String target, String stopAt, boolean offline)
            throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Moves moves = engine.forceOffline(offline).withHook((label, step, point) -> {
            if (stopAt.equals(step + ":" + point)) {
                System.out.println("STOPPED " + name + " " + stopAt);
                System.out.flush();
                stopped.countDown();
                try {
                    new CountDownLatch(1).await(); // stay here, holding what the move holds
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Thread thread = new Thread(() -> {
            try {
                if (Moves.AGENT.equals(kind)) {
                    moves.moveAgent(name, target);
                } else {
                    moves.move(NamespaceKind.valueOf(kind), name, target);
                }
                System.out.println("ENDED " + name + " without reaching " + stopAt);
            } catch (RuntimeException e) {
                System.out.println("ENDED " + name + " with " + e);
            }
            System.out.flush();
            stopped.countDown();
        }, "move-" + name);
        thread.setDaemon(true);
        thread.start();
        stopped.await();
    }
}
