package dev.foundups.db.internal.routing;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.ReplicaReads;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * The read-replica settings, resolved: builder value, else system property, else environment variable, else the
 * default.
 *
 * @param replicas       the explicit replicas ({@code DATABASE_REPLICA_URLS}, {@code readReplicas(...)})
 * @param replicasSource what to call that setting in messages
 * @param maxLag         past this lag a replica gets no reads
 * @param reads          which reads may use replicas
 * @param pollInterval   how often each node's role and replay position are read
 */
public record ReplicaSettings(List<DatabaseUrl> replicas, String replicasSource, Duration maxLag, ReplicaReads reads,
                              Duration pollInterval) {

    /** The environment variable (or system property) listing replicas. */
    public static final String REPLICA_URLS = "DATABASE_REPLICA_URLS";
    /** The environment variable (or system property) of the lag limit, such as {@code 1s} or {@code 500ms}. */
    public static final String MAX_REPLICA_LAG = "DATABASE_MAX_REPLICA_LAG";
    /** The environment variable (or system property) of {@link ReplicaReads}: thread, database or none. */
    public static final String REPLICA_READS = "DATABASE_REPLICA_READS";

    /** The lag limit when none is set. */
    public static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(1);

    /** No explicit replicas, defaults otherwise. */
    public static final ReplicaSettings NONE = new ReplicaSettings(List.of(), REPLICA_URLS, DEFAULT_MAX_LAG,
            ReplicaReads.THREAD, Duration.ofMillis(50));

    /** Between URLs: whitespace, ';', or a comma that starts the next URL (a multi-host URL has commas of its own). */
    private static final Pattern SEPARATOR = Pattern.compile("[\\s;]+|,(?=\\s*(?:jdbc:)?postgres(?:ql)?:)");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)?");

    /**
     * @param urls         builder value, or null for the system property / environment
     * @param urlsSetting  what to call the builder value in messages
     * @param maxLag       builder value, or null
     * @param reads        builder value, or null
     * @param environment  the environment
     * @return the settings
     * @throws FoundupsDbException CONFIGURATION naming the setting for a bad value
     */
    public static ReplicaSettings resolve(List<String> urls, String urlsSetting, Duration maxLag, ReplicaReads reads,
                                          Function<String, String> environment) {
        List<DatabaseUrl> replicas = new ArrayList<>();
        String source = urlsSetting;
        List<String> given = urls;
        if (given == null) {
            String value = System.getProperty(REPLICA_URLS);
            source = REPLICA_URLS + " (system property)";
            if (value == null) {
                value = environment.apply(REPLICA_URLS);
                source = REPLICA_URLS + " (environment)";
            }
            given = split(value);
        }
        for (String url : given) {
            if (url == null || url.isBlank()) {
                continue;
            }
            DatabaseUrl parsed;
            try {
                parsed = DatabaseUrl.parse(url, source);
            } catch (FoundupsDbException e) {
                throw new FoundupsDbException(ErrorCode.CONFIGURATION, e.getMessage().replace("is not a supported "
                        + "database URL", "is not a supported replica URL"), e);
            }
            parsed.strategy().requirePostgres(source + ": '" + DatabaseUrl.mask(url) + "'",
                    "read replicas are PostgreSQL standbys (postgresql://user:password@host:5432/db)");
            replicas.add(parsed);
        }
        Duration lag = maxLag != null ? maxLag : duration(setting(MAX_REPLICA_LAG, environment), MAX_REPLICA_LAG);
        if (lag == null) {
            lag = DEFAULT_MAX_LAG;
        }
        if (lag.isNegative() || lag.isZero()) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, "maxReplicaLag must be positive, was " + lag);
        }
        ReplicaReads mode = reads != null ? reads : mode(setting(REPLICA_READS, environment));
        Duration poll = Duration.ofMillis(Long.getLong("foundups.db.replicaPollMillis", 50));
        return new ReplicaSettings(List.copyOf(replicas), source, lag, mode, poll);
    }

    /** @return whether replicas were named explicitly */
    public boolean configured() {
        return !replicas.isEmpty();
    }

    static List<String> split(String value) {
        List<String> urls = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return urls;
        }
        for (String part : SEPARATOR.split(value.trim())) {
            String url = part.trim();
            if (url.endsWith(",")) {
                url = url.substring(0, url.length() - 1);
            }
            if (!url.isEmpty()) {
                urls.add(url);
            }
        }
        return urls;
    }

    private static String setting(String name, Function<String, String> environment) {
        String value = System.getProperty(name);
        return value != null ? value : environment.apply(name);
    }

    /**
     * @param value such as {@code 1s}, {@code 500ms}, {@code 2m}, a number of milliseconds, or ISO-8601
     *              ({@code PT0.5S})
     * @return the duration, or null when the value is null or blank
     */
    static Duration duration(String value, String setting) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            return switch (unit) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofMillis(n);
            };
        }
        try {
            return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, setting + " '" + value + "' is not a duration "
                    + "(such as 1s, 500ms, 2m or PT0.5S)");
        }
    }

    private static ReplicaReads mode(String value) {
        if (value == null || value.isBlank()) {
            return ReplicaReads.THREAD;
        }
        try {
            return ReplicaReads.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, REPLICA_READS + " '" + value + "' is not one of "
                    + "thread, database, none");
        }
    }
}
