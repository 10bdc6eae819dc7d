package dev.foundups.db.testing;

import static dev.foundups.db.jooq.Tables.AGENTS_ERRORS;
import static dev.foundups.db.jooq.Tables.CHAT_RULES_MODERATORS;
import static dev.foundups.db.jooq.Tables.CHAT_RULES_TIMEOUTS;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.jooq.DSLContext;

import dev.foundups.db.FoundupsDb;
import dev.foundups.db.modules.chatrules.ChatRules;

/**
 * The load of the SQLite load test, run the same way in the test's JVM and in a child JVM ({@link #main}):
 * writer threads that each write only their own rows and count what was acknowledged, and reader threads that read
 * all the time. Any exception a caller sees is recorded, never swallowed.
 *
 * <p>Each writer, in turn: a single-statement insert ({@code recordTimeout}); a transaction that inserts a timeout,
 * reads it back inside the transaction, and adds a point to the writer's moderator; an upsert
 * ({@code recordError}).
 */
public final class LoadWorkload {

    /** What one writer had acknowledged when it stopped: what the file must hold for it afterwards. */
    public static final class WriterLog {
        /** The writer's name, also its moderator id and the prefix of its error hashes. */
        public final String name;
        /** Timeouts acknowledged (single inserts and transactions). */
        public long timeouts;
        /** Sum of the acknowledged timeouts' ids: a checksum of which rows they are. */
        public long idSum;
        /** Transactions acknowledged: the moderator's points. */
        public long transactions;
        /** recordError calls acknowledged: the sum of occurrences over its hashes. */
        public long sightings;

        WriterLog(String name) {
            this.name = name;
        }

        /** @return the log as one line of words */
        public String toLine() {
            return "WRITER " + name + " " + timeouts + " " + idSum + " " + transactions + " " + sightings;
        }

        /**
         * @param words the words after {@code WRITER} of a {@link #toLine()}
         * @return the log
         */
        public static WriterLog parse(List<String> words) {
            WriterLog log = new WriterLog(words.get(0));
            log.timeouts = Long.parseLong(words.get(1));
            log.idSum = Long.parseLong(words.get(2));
            log.transactions = Long.parseLong(words.get(3));
            log.sightings = Long.parseLong(words.get(4));
            return log;
        }
    }

    /**
     * @param writers what each writer had acknowledged
     * @param errors  every exception a caller saw, as text
     * @param reads   reads completed, per reader thread
     */
    public record Result(List<WriterLog> writers, List<String> errors, List<Long> reads) {
    }

    /** Number of hashes each writer spreads its recordError calls over. */
    public static final int HASHES = 5;

    private LoadWorkload() {
    }

    /**
     * @param writer a writer's name
     * @param n      0 to {@link #HASHES} - 1
     * @return the nth error hash of that writer
     */
    public static String hash(String writer, int n) {
        return writer + "_h" + n;
    }

    /**
     * Runs the load on an open database for a while.
     *
     * @param db       the database
     * @param label    prefix of the writers' names, unique per process
     * @param writers  writer threads
     * @param readers  reader threads
     * @param duration how long
     * @return what was acknowledged and every error seen
     */
    public static Result run(FoundupsDb db, String label, int writers, int readers, Duration duration)
            throws InterruptedException {
        ChatRules chat = ChatRules.of(db);
        List<String> errors = new CopyOnWriteArrayList<>();
        List<WriterLog> logs = new ArrayList<>();
        List<AtomicLong> reads = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long deadline = System.nanoTime() + duration.toNanos();
        List<String> moderators = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            WriterLog log = new WriterLog(label + "_w" + i);
            logs.add(log);
            moderators.add(log.name);
            threads.add(new Thread(() -> write(db, chat, log, deadline, errors), log.name));
        }
        for (int i = 0; i < readers; i++) {
            AtomicLong count = new AtomicLong();
            reads.add(count);
            threads.add(new Thread(() -> read(db, chat, moderators, count, deadline, errors), label + "_r" + i));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        return new Result(logs, List.copyOf(errors), reads.stream().map(AtomicLong::get).toList());
    }

    private static void write(FoundupsDb db, ChatRules chat, WriterLog log, long deadline, List<String> errors) {
        try {
            chat.upsertModerator(log.name, log.name, 0, null);
            // One full round at least, so every writer has written each kind once however loaded the machine.
            for (int seq = 1; seq <= 3 || System.nanoTime() < deadline; seq++) {
                switch (seq % 3) {
                    case 0 -> {
                        log.idSum += chat.recordTimeout(log.name, "t" + seq, seq);
                        log.timeouts++;
                    }
                    case 1 -> {
                        int s = seq;
                        String target = log.name + "_tx" + s;
                        long id = chat.dsl().transactionResult(tx -> {
                            DSLContext t = tx.dsl();
                            long newId = t.insertInto(CHAT_RULES_TIMEOUTS)
                                    .set(CHAT_RULES_TIMEOUTS.MOD_ID, log.name)
                                    .set(CHAT_RULES_TIMEOUTS.TARGET, target)
                                    .set(CHAT_RULES_TIMEOUTS.DURATION, s)
                                    .returningResult(CHAT_RULES_TIMEOUTS.ID).fetchSingle().value1();
                            // Read-your-writes: the transaction sees its own uncommitted row.
                            int seen = t.fetchCount(CHAT_RULES_TIMEOUTS, CHAT_RULES_TIMEOUTS.TARGET.eq(target));
                            if (seen != 1) {
                                throw new IllegalStateException("inside its transaction " + log.name + " saw " + seen
                                        + " rows of its own insert, expected 1");
                            }
                            t.update(CHAT_RULES_MODERATORS)
                                    .set(CHAT_RULES_MODERATORS.POINTS, CHAT_RULES_MODERATORS.POINTS.plus(1))
                                    .where(CHAT_RULES_MODERATORS.ID.eq(log.name)).execute();
                            return newId;
                        });
                        log.idSum += id;
                        log.timeouts++;
                        log.transactions++;
                    }
                    default -> {
                        db.agents().recordError(hash(log.name, seq % HASHES), "LoadError", "{\"seq\":" + seq + "}");
                        log.sightings++;
                    }
                }
            }
        } catch (Throwable e) {
            // The outcome of the failed call is unknown: stop this writer so its log stays exact.
            errors.add(log.name + ": " + e);
        }
    }

    private static void read(FoundupsDb db, ChatRules chat, List<String> moderators, AtomicLong count, long deadline,
                             List<String> errors) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            // Point reads on keys and indexed columns, as an application would do all day.
            while (System.nanoTime() < deadline) {
                String mod = moderators.get(random.nextInt(moderators.size()));
                switch (random.nextInt(4)) {
                    case 0 -> chat.moderator(mod);
                    case 1 -> chat.timeoutsFor("t" + random.nextInt(1, 200));
                    case 2 -> db.agents().error(hash(mod, random.nextInt(HASHES)));
                    default -> chat.dsl().fetchCount(CHAT_RULES_TIMEOUTS,
                            CHAT_RULES_TIMEOUTS.TARGET.eq(mod + "_tx" + random.nextInt(1, 200)));
                }
                count.incrementAndGet();
            }
        } catch (Throwable e) {
            errors.add(Thread.currentThread().getName() + ": " + e);
        }
    }

    /**
     * What the database holds for a writer, in the same form as its log.
     *
     * @param db     the database
     * @param writer the writer's name
     * @return the writer's rows, counted and summed
     */
    public static WriterLog stored(FoundupsDb db, String writer) {
        ChatRules chat = ChatRules.of(db);
        WriterLog log = new WriterLog(writer);
        var row = chat.dsl().select(org.jooq.impl.DSL.count(), org.jooq.impl.DSL.sum(CHAT_RULES_TIMEOUTS.ID))
                .from(CHAT_RULES_TIMEOUTS).where(CHAT_RULES_TIMEOUTS.MOD_ID.eq(writer)).fetchSingle();
        log.timeouts = row.value1();
        log.idSum = row.value2() == null ? 0 : row.value2().longValue();
        log.transactions = chat.moderator(writer).map(m -> m.getPoints().longValue()).orElse(-1L);
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < HASHES; i++) {
            hashes.add(hash(writer, i));
        }
        var sightings = db.dsl().select(org.jooq.impl.DSL.sum(AGENTS_ERRORS.OCCURRENCES)).from(AGENTS_ERRORS)
                .where(AGENTS_ERRORS.ERROR_HASH.in(hashes)).fetchSingle().value1();
        log.sightings = sightings == null ? 0 : sightings.longValue();
        return log;
    }

    /**
     * Child JVM entry: {@code URL LABEL WRITERS READERS MILLIS}. Prints {@code READY} once the database is open,
     * then one {@code WRITER} line per writer, {@code READS} with the readers' counts, an {@code ERROR} line per
     * error, and {@code DONE}.
     *
     * @param args the arguments above
     */
    public static void main(String[] args) throws Exception {
        try (FoundupsDb db = FoundupsDb.configure().databaseUrl(args[0]).open()) {
            ChatRules.of(db);
            System.out.println("READY");
            System.out.flush();
            Result result = run(db, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Duration.ofMillis(Long.parseLong(args[4])));
            for (WriterLog log : result.writers()) {
                System.out.println(log.toLine());
            }
            System.out.println("READS " + result.reads().stream().map(String::valueOf).reduce((a, b) -> a + " " + b)
                    .orElse(""));
            for (String error : result.errors()) {
                System.out.println("ERROR " + error.replace('\n', ' '));
            }
        }
        System.out.println("DONE");
        System.out.flush();
    }
}
