package dev.foundups.db.bench;

import java.util.ArrayList;
import java.util.List;

/** Runs the workload on one system in WORKLOAD.md's order and times each op as a whole, as the reference does. */
final class WorkloadRunner {

    private WorkloadRunner() {
    }

    /** One op's body; a checked exception stops the run. */
    @FunctionalInterface
    private interface Body {
        void run(int i) throws Exception;
    }

    static List<OpTiming> run(Workload workload, Operations ops) throws Exception {
        List<OpTiming> timings = new ArrayList<>();
        for (Op op : Op.values()) {
            Body body = switch (op) {
                case ADD_MODERATOR -> ops::addModerator;
                case RECORD_TIMEOUT -> ops::recordTimeout;
                case GET_MODERATOR -> ops::getModerator;
                case LEARN_PATTERN -> ops::learnPattern;
                case RECORD_ERROR -> ops::recordError;
                case CREATE_FOUNDUP_AND_USER -> ops::createFoundUpAndUser;
            };
            int n = workload.count(op);
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                body.run(i);
            }
            timings.add(new OpTiming(op, n, (System.nanoTime() - start) / 1e9));
        }
        return timings;
    }
}
