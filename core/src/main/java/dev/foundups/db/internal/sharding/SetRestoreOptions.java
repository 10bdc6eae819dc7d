package dev.foundups.db.internal.sharding;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;
import dev.foundups.db.internal.naming.ShardName;

/**
 * How a backup set is restored, as the builder's settings give it.
 *
 * @param shardUrls         shard name to the URL of the database its archive goes to (password included), instead
 *                          of the URL the set's directory holds; written to the restored directory
 * @param only              the shards to restore; empty for all of them
 * @param allowInconsistent whether a set taken while a namespace or agent moved may be restored
 * @param busyTimeout       how long a connection waits
 * @param clientTools       the folder of {@code pg_restore}, or null for the PATH
 */
public record SetRestoreOptions(Map<String, String> shardUrls, Set<String> only, boolean allowInconsistent,
                                Duration busyTimeout, Path clientTools) {

    /** Copies the collections, keeping the order they were given in. */
    public SetRestoreOptions {
        shardUrls = Collections.unmodifiableMap(new LinkedHashMap<>(shardUrls));
        only = Collections.unmodifiableSet(new TreeSet<>(only));
        Objects.requireNonNull(busyTimeout, "busyTimeout");
    }

    /**
     * Checks one shard's restore target where it is given, so a mistake fails there, naming the shard.
     *
     * @param shard the shard's name; not {@code main}, which is restored into {@code DATABASE_URL}
     * @param url   a PostgreSQL URL
     * @return the parsed URL
     * @throws FoundupsDbException INVALID_NAME for a bad shard name; CONFIGURATION for main, or a URL that is not a
     *                             PostgreSQL one (the password is masked in the message)
     */
    public static DatabaseUrl checkShardUrl(String shard, String url) {
        ShardName.validate(shard);
        if (Directory.MAIN.equals(shard)) {
            throw new FoundupsDbException(ErrorCode.CONFIGURATION, "shard 'main' is restored into the database "
                    + "DATABASE_URL names (databaseUrl, --url); a URL may be given for the other shards only");
        }
        String setting = "the restore URL of shard '" + shard + "'";
        DatabaseUrl parsed = DatabaseUrl.parse(Objects.requireNonNull(url, setting), setting);
        parsed.strategy().requirePostgres(setting, "a shard is restored into a PostgreSQL database, such as "
                + "postgresql://user:password@host:5432/database");
        return parsed;
    }
}
