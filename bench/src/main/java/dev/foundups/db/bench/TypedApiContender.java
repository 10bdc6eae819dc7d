package dev.foundups.db.bench;


import org.jooq.JSON;

import dev.foundups.db.AgentMemory;
import dev.foundups.db.FoundupsDb;
import dev.foundups.db.modules.chatrules.ChatRules;

/**
 * FoundUps DB's typed API, as a module, a FoundUp and an agent use it: {@link ChatRules}, {@link AgentMemory},
 * {@link FoundupsDb#foundUp}. Opening the database and registering {@code chat_rules} are set-up, outside the
 * timings, as the reference's constructors are.
 */
final class TypedApiContender implements Contender {

    private final DatabaseTarget target;

    TypedApiContender(DatabaseTarget target) {
        this.target = target;
    }

    @Override
    public String name() {
        return "foundups-" + target.label();
    }

    @Override
    public boolean inJvm() {
        return true;
    }

    @Override
    public Session open(Workload workload) throws Exception {
        String url = target.create();
        try {
            return new TypedOperations(FoundupsDb.configure().databaseUrl(url).open(), workload,
                    () -> target.drop(url));
        } catch (Exception | Error e) {
            target.drop(url);
            throw e;
        }
    }

    /** Each op is one call of the public API; reads check that the row came back. */
    private static final class TypedOperations implements Session {
        private static final JSON MODERATOR_DATA = JSON.valueOf(Workload.MODERATOR_DATA);
        private static final JSON ERROR_SOLUTION = JSON.valueOf(Workload.ERROR_SOLUTION);

        private final FoundupsDb db;
        private final ChatRules chat;
        private final AgentMemory agents;
        private final Workload workload;
        private final Session.Cleanup cleanup;

        TypedOperations(FoundupsDb db, Workload workload, Session.Cleanup cleanup) {
            this.db = db;
            this.chat = ChatRules.of(db);
            this.agents = db.agents();
            this.workload = workload;
            this.cleanup = cleanup;
        }

        @Override
        public void close() throws Exception {
            try {
                db.close();
            } finally {
                cleanup.run();
            }
        }

        @Override
        public void addModerator(int i) {
            chat.upsertModerator(Workload.moderatorId(i), Workload.moderatorName(i), i, MODERATOR_DATA);
        }

        @Override
        public void recordTimeout(int i) {
            chat.recordTimeout(workload.timeoutModerator(i), Workload.timeoutTarget(i), Workload.TIMEOUT_SECONDS);
        }

        @Override
        public void getModerator(int i) {
            String id = workload.readModerator(i);
            if (chat.moderator(id).isEmpty()) {
                throw new IllegalStateException("moderator " + id + " not found");
            }
        }

        @Override
        public void learnPattern(int i) {
            agents.learnPattern(Workload.patternAgent(i), Workload.PATTERN_TYPE, JSON.valueOf(Workload.patternData(i)));
        }

        @Override
        public void recordError(int i) {
            agents.recordError(Workload.errorHash(i), Workload.ERROR_TYPE, ERROR_SOLUTION);
        }

        @Override
        public void createFoundUpAndUser(int i) {
            db.foundUp(Workload.foundUpId(i)).addUser(Workload.USER_ID, Workload.USER_NAME);
        }
    }
}
