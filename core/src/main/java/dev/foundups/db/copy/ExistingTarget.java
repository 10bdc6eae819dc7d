package dev.foundups.db.copy;

/** What a copy does when the target database already holds data. */
public enum ExistingTarget {
    /** Refuse, naming what the target holds (the default). An empty database, or one never used, is copied into. */
    REFUSE,
    /**
     * Continue a copy from the same source that was interrupted: tables it finished are kept, the rest are copied.
     * On a target that holds no interrupted copy this is the same as {@link #REFUSE}.
     */
    RESUME,
    /**
     * Start over: drop every FoundUps DB table of the target ({@code agents_*}, {@code modules_*},
     * {@code foundups_*}, {@code foundupsdb_*} and Liquibase's {@code databasechangelog*}) first. Other tables are
     * left alone.
     */
    REPLACE
}
