package dev.foundups.db.internal.moves;

/**
 * The steps of a move, in order, as the journal ({@code foundupsdb_moves.step}) names them. An online move runs
 * all of them; an offline move and an agent's move skip the replication steps. Before {@link #FLIPPED} the source
 * is authoritative and a failed or killed move can be resumed or rolled back; from it on the target is, and a rerun
 * only finishes the cleanup.
 */
enum Step {
    /** The journal row exists; a fresh move clears what old moves of the same name left on the source. */
    PLANNED,
    /** The directory marks the placement MOVING: routing treats a missing table as "moved", and agent writes wait. */
    MARKED,
    /** The namespace's tables exist on the target, created by provisioning at the source's template version. */
    PROVISIONED,
    /** The source publishes the tables (a publication with their list) and has the replication slot. */
    PUBLISHED,
    /** The target subscribes, copying the rows first ({@code copy_data}). */
    SUBSCRIBED,
    /** Every table is synchronised ({@code srsubstate = 'r'}) and the subscription has caught up. */
    SYNCED,
    /**
     * Writers are frozen, the target has every committed row and the sequences, and the source tables are fenced
     * ({@code SET SCHEMA foundupsdb_moved}), all in the source's one transaction. Offline: the rows are copied and
     * verified here.
     */
    FENCED,
    /** The directory names the target: epoch + 1, ACTIVE, NOTIFY. From here on the target is authoritative. */
    FLIPPED,
    /** The subscription is gone (its slot too, or recorded as an orphan when the source was down). */
    UNSUBSCRIBED,
    /** The source's publication, fenced tables and catalog row are gone (or recorded when it was down). */
    SOURCE_CLEANED,
    /** Finished. */
    DONE;

    /** @return whether the move has reached the flip: the target is authoritative */
    boolean flipped() {
        return compareTo(FLIPPED) >= 0;
    }
}
