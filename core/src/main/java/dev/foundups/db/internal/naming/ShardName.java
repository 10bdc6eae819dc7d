package dev.foundups.db.internal.naming;

import java.util.regex.Pattern;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/** The naming rule for shards: the rule of namespace names, so a shard name is safe wherever it is shown or bound. */
public final class ShardName {

    /** Longest shard name (the directory's column). */
    public static final int MAX_LENGTH = 64;

    private static final Pattern RULE = Pattern.compile("[a-z][a-z0-9_]*");

    private ShardName() {
    }

    /**
     * @param name a candidate shard name
     * @return the name, unchanged
     * @throws FoundupsDbException (INVALID_NAME) stating the rule when the name breaks it
     */
    public static String validate(String name) {
        if (name == null || !RULE.matcher(name).matches() || name.length() > MAX_LENGTH) {
            throw new FoundupsDbException(ErrorCode.INVALID_NAME, "shard name " + (name == null ? "null"
                    : "'" + name + "'") + " is not valid: use 1 to " + MAX_LENGTH + " lower-case letters (a-z), "
                    + "digits and underscores, starting with a letter, for example 'shard_2'");
        }
        return name;
    }
}
