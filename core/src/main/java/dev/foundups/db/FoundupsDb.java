package dev.foundups.db;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.jooq.DSLContext;
import org.jooq.conf.FetchTriggerValuesAfterReturning;
import org.jooq.conf.RenderTable;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DataSourceConnectionProvider;
import org.jooq.impl.DefaultConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariDataSource;

import dev.foundups.db.config.DataSources;
import dev.foundups.db.config.DatabaseUrl;
import dev.foundups.db.config.Dialect;
import dev.foundups.db.migration.MigrationLock;
import dev.foundups.db.migration.SharedSchema;
import dev.foundups.db.naming.NamespaceKind;
import dev.foundups.db.namespaces.NamespaceInfo;
import dev.foundups.db.namespaces.Namespaces;
import dev.foundups.db.namespaces.TemplateRegistry;
import dev.foundups.db.namespaces.UpgradeReport;
import dev.foundups.db.schema.SchemaLayout;

/**
 * The WSP 78 database: one database, three namespaces. Open it once per process and share it; it is thread-safe.
 *
 * <pre>
 * try (FoundupsDb db = FoundupsDb.open()) {            // DATABASE_URL, or SQLite at data/foundups.db
 *     db.agents().recordAwakening("error-learning-agent", "0102");
 *     FoundUp bot = db.foundUp("youtube_bot");           // created from the FoundUp template on first use
 *     bot.addUser("user123", "StreamViewer");
 *     ChatRules chat = ChatRules.of(db);                 // a module: modules_chat_rules_*
 *     chat.recordTimeout("mod123", "troll456", 60);
 * }
 * </pre>
 *
 * <p>Opening brings the schema up to date: the shared changelog (catalog and {@code agents_*}) with Liquibase,
 * then any template change not yet applied to an existing module or FoundUp namespace.
 */
public final class FoundupsDb implements AutoCloseable {

    /** The setting that chooses the database: an environment variable or a system property of this name. */
    public static final String DATABASE_URL = "DATABASE_URL";

    private static final Logger LOG = LoggerFactory.getLogger(FoundupsDb.class);

    static {
        // jOOQ prints a banner and tips on first use unless told not to; a library should stay quiet.
        System.setProperty("org.jooq.no-logo", System.getProperty("org.jooq.no-logo", "true"));
        System.setProperty("org.jooq.no-tips", System.getProperty("org.jooq.no-tips", "true"));
    }

    private final DatabaseUrl url;
    private final HikariDataSource dataSource;
    private final DSLContext dsl;
    private final Namespaces namespaces;
    private final UpgradeReport upgrade;
    private final AgentMemory agents;

    private FoundupsDb(Builder builder, DatabaseUrl url) {
        this.url = url;
        int poolSize = builder.maximumPoolSize > 0 ? builder.maximumPoolSize
                : url.dialect() == Dialect.SQLITE ? 4 : 10;
        this.dataSource = DataSources.open(url, poolSize, builder.busyTimeout);
        try {
            this.dsl = DSL.using(new DefaultConfiguration()
                    .set(new DataSourceConnectionProvider(dataSource))
                    .set(url.dialect().jooqDialect())
                    .set(baseSettings()));
            this.namespaces = new Namespaces(dsl, new TemplateRegistry(url.dialect()));
            try (MigrationLock lock = MigrationLock.acquire(url, dataSource)) {
                SharedSchema.update(dataSource);
                this.upgrade = namespaces.upgradeAll();
            }
            if (!upgrade.failed().isEmpty()) {
                LOG.warn("{} namespace(s) could not be brought up to date and are marked failed: {}",
                        upgrade.failed().size(), upgrade.failedNamespaces());
            }
            this.agents = new AgentMemory(dsl);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    static Settings baseSettings() {
        return new Settings()
                // On SQLite, jOOQ would otherwise re-select "returned" rows by last_insert_rowid(): wrong for upserts.
                .withFetchTriggerValuesAfterReturning(FetchTriggerValuesAfterReturning.NEVER)
                .withExecuteLogging(false)
                .withRenderSchema(false)
                // Every query renders on every call. Qualifying each column with its table (the default) renders
                // each table name once per column, through the render mapping, and on SQLite checks each copy
                // against the keyword list and an identifier pattern: a fifth of the render time of a point read on
                // SQLite (bench: RenderBenchmark). Qualified names still appear where two tables are in scope.
                .withRenderTable(RenderTable.WHEN_MULTIPLE_TABLES);
    }

    /**
     * Opens the database that {@code DATABASE_URL} names (system property first, then environment), or the SQLite
     * file {@code data/foundups.db} when it is not set.
     *
     * @return the open database
     * @throws FoundupsDbException CONFIGURATION for a bad URL, DB_CONNECTION or MIGRATION when it cannot be opened
     */
    public static FoundupsDb open() {
        return configure().open();
    }

    /** @return a builder for the settings; {@link Builder#open()} opens the database */
    public static Builder configure() {
        return new Builder();
    }

    /** @return the database's URL (passwords masked in {@code toString}) */
    public DatabaseUrl url() {
        return url;
    }

    /** @return SQLite or PostgreSQL */
    public Dialect dialect() {
        return url.dialect();
    }

    /**
     * The shared context: typed queries on the {@code agents_*} tables, which map to themselves.
     *
     * @return a long-lived context; do not close it
     */
    public DSLContext dsl() {
        return dsl;
    }

    /** @return the shared agent memory ({@code agents_*}) */
    public AgentMemory agents() {
        return agents;
    }

    /**
     * A FoundUp project's tables ({@code foundups_<id>_*}), created from the FoundUp template on first use.
     *
     * @param id the FoundUp id: lower-case letters, digits and underscores, starting with a letter
     * @return the FoundUp; cheap to call again
     * @throws FoundupsDbException INVALID_NAME for a bad id, NAME_CONFLICT when its tables belong to another one
     */
    public FoundUp foundUp(String id) {
        return new FoundUp(id, namespaces.context(NamespaceKind.FOUNDUP, id, SchemaLayout.FOUNDUP_TEMPLATE));
    }

    /**
     * A platform module's tables ({@code modules_<name>_*}), created from the module's template (the changelogs
     * under {@code db/foundups/templates/modules/<name>/}) when the module is first registered.
     *
     * @param name the module name, such as {@code chat_rules}
     * @return the module; cheap to call again
     * @throws FoundupsDbException INVALID_NAME for a bad name, CONFIGURATION when the module has no template
     */
    public PlatformModule module(String name) {
        Objects.requireNonNull(name, "module name");
        return new PlatformModule(name, namespaces.context(NamespaceKind.MODULE, name, name));
    }

    /** @return every module and FoundUp namespace in the catalog */
    public List<NamespaceInfo> namespaces() {
        return namespaces.list();
    }

    /** @return what opening did to bring existing namespaces up to date */
    public UpgradeReport lastUpgrade() {
        return upgrade;
    }

    /** Closes the connection pool. */
    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return "FoundupsDb[" + url + "]";
    }

    /**
     * Settings for {@link FoundupsDb}. Every setting has a default; unset values come from the environment.
     */
    public static final class Builder {
        private String databaseUrl;
        private String databaseUrlSource = DATABASE_URL;
        private Function<String, String> environment = System::getenv;
        private int maximumPoolSize;
        private Duration busyTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * The database, in any form {@link DatabaseUrl} accepts. Overrides {@code DATABASE_URL}.
         *
         * @param url the URL
         * @return this builder
         */
        public Builder databaseUrl(String url) {
            this.databaseUrl = Objects.requireNonNull(url, "databaseUrl");
            this.databaseUrlSource = "databaseUrl";
            return this;
        }

        /**
         * Where unset values are read from, instead of the process environment (for tests and embedding).
         *
         * @param variables variable name to value
         * @return this builder
         */
        public Builder environment(Map<String, String> variables) {
            Map<String, String> copy = Map.copyOf(variables);
            this.environment = copy::get;
            return this;
        }

        /**
         * Most pooled connections. Default: 4 on SQLite (one writer at a time anyway), 10 on PostgreSQL.
         *
         * @param size at least 2 (one is held by schema changes while they run)
         * @return this builder
         * @throws IllegalArgumentException when below 2
         */
        public Builder maximumPoolSize(int size) {
            if (size < 2) {
                throw new IllegalArgumentException("maximumPoolSize cannot be less than 2, was " + size);
            }
            this.maximumPoolSize = size;
            return this;
        }

        /**
         * How long a SQLite connection waits for another process's write lock before failing. Default 10 s.
         *
         * @param timeout positive duration
         * @return this builder
         * @throws IllegalArgumentException when not positive
         */
        public Builder busyTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("busyTimeout must be positive, was " + timeout);
            }
            this.busyTimeout = timeout;
            return this;
        }

        /**
         * Opens the database: connects, then brings the schema up to date.
         *
         * @return the open database
         * @throws FoundupsDbException CONFIGURATION naming the setting for a bad URL; DB_CONNECTION, MIGRATION
         */
        public FoundupsDb open() {
            String value = databaseUrl;
            String source = databaseUrlSource;
            if (value == null) {
                value = System.getProperty(DATABASE_URL);
                source = DATABASE_URL + " (system property)";
            }
            if (value == null) {
                value = environment.apply(DATABASE_URL);
                source = DATABASE_URL + " (environment)";
            }
            return new FoundupsDb(this, DatabaseUrl.parse(value, source));
        }
    }
}
