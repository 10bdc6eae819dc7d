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
            Body body = body(op, ops);
            int n = workload.count(op);
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                body.run(i);
            }
            timings.add(new OpTiming(op, n, (System.nanoTime() - start) / 1e9));
        }
        return timings;
    }

    /**
     * Runs the workload on several systems at once, in turns: each op's range is cut into slices of {@code slice}
     * ops, every system runs each slice in turn (who goes first rotates), and each system's time is the sum of its
     * own slices. On a shared machine whose load drifts over seconds, the systems then meet the same load, and
     * their ratio holds even when their absolute rates do not. Each system still runs the ops in the workload's
     * order, every write committed before its next op.
     *
     * @param workload the counts and values
     * @param systems  the open systems
     * @param slice    ops per turn
     * @return per system (in the order given), one timing per op
     * @throws Exception when an op fails; the run stops
     */
    static List<List<OpTiming>> runInTurns(Workload workload, List<? extends Operations> systems, int slice)
            throws Exception {
        List<List<OpTiming>> timings = new ArrayList<>();
        systems.forEach(s -> timings.add(new ArrayList<>()));
        int turn = 0;
        for (Op op : Op.values()) {
            int n = workload.count(op);
            long[] nanos = new long[systems.size()];
            for (int from = 0; from < n; from += slice) {
                int to = Math.min(n, from + slice);
                for (int k = 0; k < systems.size(); k++) {
                    int system = (turn + k) % systems.size();
                    Body body = body(op, systems.get(system));
                    long start = System.nanoTime();
                    for (int i = from; i < to; i++) {
                        body.run(i);
                    }
                    nanos[system] += System.nanoTime() - start;
                }
                turn++;
            }
            for (int system = 0; system < systems.size(); system++) {
                timings.get(system).add(new OpTiming(op, n, nanos[system] / 1e9));
            }
        }
        return timings;
    }

    private static Body body(Op op, Operations ops) {
        return switch (op) {
            case ADD_MODERATOR -> ops::addModerator;
            case RECORD_TIMEOUT -> ops::recordTimeout;
            case GET_MODERATOR -> ops::getModerator;
            case LEARN_PATTERN -> ops::learnPattern;
            case RECORD_ERROR -> ops::recordError;
            case CREATE_FOUNDUP_AND_USER -> ops::createFoundUpAndUser;
        };
    }
}
