package dev.foundups.db.bench;

/**
 * The operations of the WSP 78 workload, in the order every system runs them, with their counts at scale 1.
 * The order matters: reads need the moderators, and the reference design runs them in this order too.
 */
enum Op {
    ADD_MODERATOR("add_moderator", 1_000, Kind.WRITE),
    RECORD_TIMEOUT("record_timeout", 20_000, Kind.WRITE),
    GET_MODERATOR("get_moderator", 20_000, Kind.POINT_READ),
    LEARN_PATTERN("learn_pattern", 5_000, Kind.WRITE),
    RECORD_ERROR("record_error", 5_000, Kind.WRITE),
    CREATE_FOUNDUP_AND_USER("create_foundup_and_user", 500, Kind.PROVISIONING);

    /** What an op is, which decides the goal its ratio to raw JDBC is held to. */
    enum Kind {
        // Issue 15's goals: every single-threaded write (creating a FoundUp and its first user included) at 0.95x
        // raw JDBC, the point read at 0.85x.
        WRITE(0.95), POINT_READ(0.85), PROVISIONING(0.95);

        /** The least FoundUps/raw ratio the project aims at; 0 when there is none. */
        final double rawGoal;

        Kind(double rawGoal) {
            this.rawGoal = rawGoal;
        }
    }

    /** Every op, whatever its kind, aims at this multiple of the reference design's rate. */
    static final double REFERENCE_GOAL = 40;

    /** The name in WORKLOAD.md and in every output line. */
    final String label;
    final int baseCount;
    final Kind kind;

    Op(String label, int baseCount, Kind kind) {
        this.label = label;
        this.baseCount = baseCount;
        this.kind = kind;
    }

    static Op byLabel(String label) {
        for (Op op : values()) {
            if (op.label.equals(label)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown workload op '" + label + "'");
    }
}
