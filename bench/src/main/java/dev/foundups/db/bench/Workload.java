package dev.foundups.db.bench;

/**
 * The workload at one scale: how many times each op runs, and the values op number {@code i} uses. Every JVM
 * system takes its values from here, and they are the ones {@code run_workload.py} uses, so all systems store the
 * same rows.
 */
final class Workload {

    /** The moderator document every add_moderator stores (the reference stores the same, with a space). */
    static final String MODERATOR_DATA = "{\"level\":\"ROOKIE\"}";
    static final String ERROR_SOLUTION = "{\"fix\":\"check key\"}";
    static final String ERROR_TYPE = "KeyError";
    static final String PATTERN_TYPE = "error_fix";
    static final int TIMEOUT_SECONDS = 60;
    static final String USER_ID = "user1";
    static final String USER_NAME = "StreamViewer";
    private static final int DISTINCT_ERRORS = 500;
    private static final int AGENTS = 10;
    /** A prime stride, so the reads visit the moderators in a scattered order. */
    private static final long READ_STRIDE = 7919;

    private final double scale;
    private final int moderators;

    /**
     * @param scale multiplies every count of WORKLOAD.md
     * @throws IllegalArgumentException when the scale leaves an op with no run at all
     */
    Workload(double scale) {
        this.scale = scale;
        for (Op op : Op.values()) {
            if (count(op) < 1) {
                throw new IllegalArgumentException("SCALE must leave every op at least one run, so at least "
                        + (1.0 / Op.CREATE_FOUNDUP_AND_USER.baseCount) + "; was " + scale);
            }
        }
        this.moderators = count(Op.ADD_MODERATOR);
    }

    double scale() {
        return scale;
    }

    /** Truncated like Python's {@code int(count * scale)}, so both sides agree on every count. */
    int count(Op op) {
        return (int) (op.baseCount * scale);
    }

    static String moderatorId(int i) {
        return "mod" + i;
    }

    static String moderatorName(int i) {
        return "Mod " + i;
    }

    String timeoutModerator(int i) {
        return moderatorId(i % moderators);
    }

    static String timeoutTarget(int i) {
        return "troll" + i;
    }

    String readModerator(int i) {
        return moderatorId((int) (i * READ_STRIDE % moderators));
    }

    static String patternAgent(int i) {
        return "agent" + (i % AGENTS);
    }

    static String patternData(int i) {
        return "{\"pattern\":" + i + ",\"tags\":[\"a\",\"b\"]}";
    }

    static String errorHash(int i) {
        return "h" + (i % DISTINCT_ERRORS);
    }

    /** FoundUp ids are generated, never taken from input: {@code fu0}, {@code fu1}, ... */
    static String foundUpId(int i) {
        return "fu" + i;
    }
}
