package dev.foundups.db.bench;

/**
 * One system's way of performing op number {@code i} of each kind; {@link WorkloadRunner} times them. Every write
 * is committed when the method returns.
 */
interface Operations {

    void addModerator(int i) throws Exception;

    void recordTimeout(int i) throws Exception;

    void getModerator(int i) throws Exception;

    void learnPattern(int i) throws Exception;

    void recordError(int i) throws Exception;

    void createFoundUpAndUser(int i) throws Exception;
}
