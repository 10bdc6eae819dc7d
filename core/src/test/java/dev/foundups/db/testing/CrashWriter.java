package dev.foundups.db.testing;

import static dev.foundups.db.jooq.Tables.CHAT_RULES_TIMEOUTS;

import java.util.ArrayList;
import java.util.List;

import org.jooq.DSLContext;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.modules.chatrules.ChatRules;

/**
 * The child of the crash test: writes until it is killed, and prints each write once it is acknowledged.
 *
 * <p>Arguments: {@code URL RUN [THREADS]}. Prints {@code READY} once the database is open; then each of THREADS
 * writer threads (default 1) prints, alternately, {@code ACK id} after a single insert returned, and
 * {@code ACKTX group id id id} after a transaction of three inserts (target {@code RUN-group}) committed. A line is
 * printed only after the call returned, so a printed id is one the database promised to keep. With several threads
 * the single inserts of one thread are committed in groups with the others' (SQLite's group commit).
 */
public final class CrashWriter {

    /** Rows per transaction: after a crash, a group has all of them or none. */
    public static final int GROUP_SIZE = 3;
    /** The moderator id of every row this writer inserts. */
    public static final String MOD_ID = "crash";

    private CrashWriter() {
    }

    /**
     * @param args {@code URL RUN [THREADS]}: with several threads, each writes as described, at once
     * @throws InterruptedException never: it writes until it is killed
     */
    public static void main(String[] args) throws InterruptedException {
        String run = args[1];
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(args[0]).open()) {
            ChatRules chat = ChatRules.of(db);
            System.out.println("READY");
            System.out.flush();
            List<Thread> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String prefix = threads == 1 ? run : run + "t" + t;
                Thread writer = new Thread(() -> write(chat, run, prefix), "crash-writer-" + t);
                writers.add(writer);
                writer.start();
            }
            for (Thread writer : writers) {
                writer.join();
            }
        }
    }

    private static void write(ChatRules chat, String run, String prefix) {
        for (long seq = 1; ; seq++) {
            if (seq % 2 == 1) {
                long id = chat.recordTimeout(MOD_ID, run + "-single", (int) (seq % 1000));
                System.out.println("ACK " + id);
            } else {
                String group = prefix + "-" + seq;
                List<Long> ids = chat.dsl().transactionResult(tx -> {
                    DSLContext t = tx.dsl();
                    List<Long> inserted = new ArrayList<>();
                    for (int i = 0; i < GROUP_SIZE; i++) {
                        inserted.add(t.insertInto(CHAT_RULES_TIMEOUTS)
                                .set(CHAT_RULES_TIMEOUTS.MOD_ID, MOD_ID)
                                .set(CHAT_RULES_TIMEOUTS.TARGET, group)
                                .set(CHAT_RULES_TIMEOUTS.DURATION, i)
                                .returningResult(CHAT_RULES_TIMEOUTS.ID).fetchSingle().value1());
                    }
                    return inserted;
                });
                StringBuilder line = new StringBuilder("ACKTX ").append(group);
                ids.forEach(id -> line.append(' ').append(id));
                System.out.println(line);
            }
        }
    }
}
