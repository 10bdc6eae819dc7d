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
 * <p>Arguments: {@code URL RUN}. Prints {@code READY} once the database is open; then, alternately,
 * {@code ACK id} after a single insert returned, and {@code ACKTX group id id id} after a transaction of three
 * inserts (target {@code RUN-group}) committed. A line is printed only after the call returned, so a printed id
 * is one the database promised to keep.
 */
public final class CrashWriter {

    /** Rows per transaction: after a crash, a group has all of them or none. */
    public static final int GROUP_SIZE = 3;
    /** The moderator id of every row this writer inserts. */
    public static final String MOD_ID = "crash";

    private CrashWriter() {
    }

    /**
     * @param args {@code URL RUN}
     */
    public static void main(String[] args) {
        String run = args[1];
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(args[0]).open()) {
            ChatRules chat = ChatRules.of(db);
            System.out.println("READY");
            System.out.flush();
            for (long seq = 1; ; seq++) {
                if (seq % 2 == 1) {
                    long id = chat.recordTimeout(MOD_ID, run + "-single", (int) (seq % 1000));
                    System.out.println("ACK " + id);
                } else {
                    String group = run + "-" + seq;
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
                System.out.flush();
            }
        }
    }
}
