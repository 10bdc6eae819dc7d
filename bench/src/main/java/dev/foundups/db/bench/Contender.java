package dev.foundups.db.bench;

import java.util.List;

/** One system under comparison: runs the whole workload on a fresh database and reports each op's time. */
interface Contender {

    /** @return the system's name in every output line, such as {@code foundups-sqlite} */
    String name();

    /** @return whether it runs in this JVM, so a warm-up round helps it */
    boolean inJvm();

    /**
     * Runs the whole workload on a fresh database; an in-JVM system does it on a session ({@link #open}) of its own.
     *
     * @param workload the counts and values
     * @return one timing per op, in {@link Op} order
     * @throws Exception when the run fails; the harness stops
     */
    default List<OpTiming> run(Workload workload) throws Exception {
        try (Session session = open(workload)) {
            return WorkloadRunner.run(workload, session);
        }
    }

    /**
     * In-JVM systems: a fresh database, open, whose ops the harness times in turns with other systems'.
     *
     * @param workload the counts and values
     * @return the open session; closing it removes the database
     * @throws Exception when it cannot be opened
     */
    default Session open(Workload workload) throws Exception {
        throw new UnsupportedOperationException(name() + " does not run in this JVM");
    }
}
