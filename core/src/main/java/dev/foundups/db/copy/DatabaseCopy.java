package dev.foundups.db.copy;

import java.util.Objects;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * Copies a whole FoundUps DB to another database, such as from the SQLite file to PostgreSQL: the {@code agents_*}
 * tables, every namespace with its catalog entry, and every row, then checks that both sides hold the same rows.
 *
 * <pre>
 * CopyReport report = DatabaseCopy.from("sqlite:///data/foundups.db")
 *         .to("postgresql://fu:secret@db:5432/foundups")
 *         .listener(myProgress)
 *         .load()
 *         .run();
 * if (!report.verified()) {
 *     report.mismatches().forEach(t -&gt; System.err.println(t.describe()));
 * }
 * </pre>
 *
 * <ul>
 *   <li>The target becomes a normal FoundUps DB: its shared tables are made by Liquibase as on any open, and each
 *       namespace by the library's own provisioning (an imported module's tables as the legacy import makes them).</li>
 *   <li>Rows are read through the generated classes, so timestamps, JSON, booleans and 64-bit ids keep their
 *       values across dialects. PostgreSQL is fed with {@code COPY FROM STDIN}, one table per transaction, and its
 *       identity sequences continue after the largest copied id.</li>
 *   <li>The source is read in one read-only transaction (one snapshot) and never changed. It must be up to date
 *       with this release's templates ({@code foundups-db migrate}).</li>
 *   <li>A target that holds data is refused unless {@link Builder#existingTarget} says otherwise. Each copied table
 *       is recorded in the target with its rows, so an interrupted copy can be resumed.</li>
 *   <li>A sharded target (a PostgreSQL database with shards added, see {@code FoundupsDb#shards()}): every module,
 *       FoundUp and agent is placed as a new one would be, on the shard with the fewest placements, and its rows
 *       are copied there; {@link CopyReport#shards()} says which shard got what. Every shard must be reachable.
 *       The source must not be sharded: a copy reads one database.</li>
 * </ul>
 *
 * <p>Instances are immutable and may be run more than once.
 */
public final class DatabaseCopy {

    private final CopySettings settings;

    private DatabaseCopy(CopySettings settings) {
        this.settings = settings;
    }

    /**
     * A copy's settings, checked, as {@link Copier} reads them.
     *
     * @param targetUrlText the target URL as given, for opening it as a {@code FoundupsDb}
     * @param sourceSetting what to call the source in messages, such as {@code --from}
     * @param targetSetting what to call the target in messages, such as {@code --to}
     */
    record CopySettings(DatabaseUrl source, String sourceSetting, DatabaseUrl target, String targetUrlText,
                        String targetSetting, ExistingTarget existingTarget, CopyListener listener,
                        ClassLoader classLoader) {
    }

    /**
     * Starts the settings of a copy.
     *
     * @param url the database to copy from, in any form {@code DATABASE_URL} accepts
     * @return a builder
     * @throws FoundupsDbException CONFIGURATION naming {@code from} when the URL is not an accepted form
     */
    public static Builder from(String url) {
        return from(url, "from");
    }

    /**
     * Starts the settings of a copy, naming the setting the URL came from in messages (such as {@code --from}).
     *
     * @param url     the database to copy from
     * @param setting what to call it in messages
     * @return a builder
     * @throws FoundupsDbException CONFIGURATION naming the setting when the URL is not an accepted form
     */
    public static Builder from(String url, String setting) {
        Objects.requireNonNull(url, "from");
        return new Builder(DatabaseUrl.parse(url, setting), setting);
    }

    /**
     * Copies everything to the target, then verifies both sides.
     *
     * @return per table, rows and checksums on both sides; {@link CopyReport#verified()} says whether they agree
     * @throws FoundupsDbException TRANSFER when the target holds data (and the settings do not allow it), the
     *                             source is not up to date or is sharded, a move on the sharded target is
     *                             unfinished, or a table could not be copied (the message says to resume);
     *                             CONFIGURATION for a missing SQLite source; DB_CONNECTION when either side, or a
     *                             shard of the target, cannot be reached
     */
    public CopyReport run() {
        return new Copier(settings).copy();
    }

    /**
     * Compares source and target without copying or changing anything: rows and checksum of every table.
     *
     * @return per table, rows and checksums on both sides
     * @throws FoundupsDbException DB_CONNECTION when either side cannot be reached
     */
    public CopyReport verify() {
        return new Copier(settings).verifyOnly();
    }

    @Override
    public String toString() {
        return "DatabaseCopy[" + settings.source() + " -> " + settings.target() + ", " + settings.existingTarget()
                + "]";
    }

    /** Settings of a copy; {@link #load()} checks them. */
    public static final class Builder {
        private final DatabaseUrl source;
        private final String sourceSetting;
        private DatabaseUrl target;
        private String targetUrlText;
        private String targetSetting = "to";
        private ExistingTarget existingTarget = ExistingTarget.REFUSE;
        private CopyListener listener = CopyListener.NONE;
        private ClassLoader classLoader = DatabaseCopy.class.getClassLoader();

        private Builder(DatabaseUrl source, String sourceSetting) {
            this.source = source;
            this.sourceSetting = sourceSetting;
        }

        /**
         * The database to copy to: an empty database (a new SQLite file, or a new PostgreSQL database), or the
         * database {@code DATABASE_URL} names of a sharded cluster whose shards are empty.
         *
         * @param url in any form {@code DATABASE_URL} accepts
         * @return this builder
         * @throws FoundupsDbException CONFIGURATION naming {@code to} when the URL is not an accepted form
         */
        public Builder to(String url) {
            return to(url, "to");
        }

        /**
         * The database to copy to, naming the setting it came from in messages (such as {@code --to}).
         *
         * @param url     the database
         * @param setting what to call it in messages
         * @return this builder
         * @throws FoundupsDbException CONFIGURATION naming the setting when the URL is not an accepted form
         */
        public Builder to(String url, String setting) {
            Objects.requireNonNull(url, "to");
            this.target = DatabaseUrl.parse(url, setting);
            this.targetUrlText = url;
            this.targetSetting = setting;
            return this;
        }

        /**
         * What to do when the target holds data. Default {@link ExistingTarget#REFUSE}.
         *
         * @param mode refuse, resume an interrupted copy, or replace
         * @return this builder
         */
        public Builder existingTarget(ExistingTarget mode) {
            this.existingTarget = Objects.requireNonNull(mode, "existingTarget");
            return this;
        }

        /**
         * Told of progress.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(CopyListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Where the changelogs and templates are found (default: FoundUps DB's own class loader), as
         * {@code FoundupsDbBuilder#classLoader}.
         *
         * @param loader the class loader
         * @return this builder
         */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "classLoader");
            return this;
        }

        /**
         * @return the copy, ready to run
         * @throws IllegalStateException when no target was set
         * @throws FoundupsDbException   CONFIGURATION when source and target are the same database
         */
        public DatabaseCopy load() {
            if (target == null) {
                throw new IllegalStateException("to is required: the database to copy to");
            }
            if (source.equals(target)) {
                throw new FoundupsDbException(ErrorCode.CONFIGURATION, sourceSetting + " and " + targetSetting
                        + " name the same database (" + source + "): copy to another one");
            }
            return new DatabaseCopy(new CopySettings(source, sourceSetting, target, targetUrlText, targetSetting,
                    existingTarget, listener, classLoader));
        }
    }
}
