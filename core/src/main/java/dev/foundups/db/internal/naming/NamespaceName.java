package dev.foundups.db.internal.naming;

import java.util.regex.Pattern;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.NamespaceKind;

/**
 * The naming rule for module names and FoundUp ids, checked before any name reaches SQL.
 *
 * <p>A name is lower-case letters, digits and underscores, starting with a letter, and short enough that every
 * table, index and constraint name built from it fits PostgreSQL's 63-byte identifier limit (PostgreSQL would
 * otherwise truncate silently, and two long names could meet). The names are then safe to place in identifiers
 * without quoting, on both dialects.
 */
public final class NamespaceName {

    /** PostgreSQL's identifier limit, in bytes (the names are ASCII, so in characters). */
    public static final int MAX_IDENTIFIER_LENGTH = 63;

    /** Longest name accepted whatever the template, so catalog columns stay small. */
    public static final int MAX_NAME_LENGTH = 40;

    private static final Pattern RULE = Pattern.compile("[a-z][a-z0-9_]*");

    private NamespaceName() {
    }

    /**
     * The longest name of a kind that a template with the given longest object name suffix allows.
     *
     * @param kind          module or FoundUp
     * @param longestSuffix length of the template's longest table, index or constraint name after the prefix
     * @return the maximum name length
     */
    public static int maxLength(NamespaceKind kind, int longestSuffix) {
        return Math.min(MAX_NAME_LENGTH, MAX_IDENTIFIER_LENGTH - kind.kindPrefix().length() - 1 - longestSuffix);
    }

    /**
     * Checks a name against the rule.
     *
     * @param kind      module or FoundUp, for the message
     * @param name      the candidate name
     * @param maxLength the longest name the template allows ({@link #maxLength})
     * @return the name, unchanged
     * @throws FoundupsDbException (INVALID_NAME) stating the rule when the name breaks it
     */
    public static String validate(NamespaceKind kind, String name, int maxLength) {
        if (name == null || !RULE.matcher(name).matches() || name.length() > maxLength) {
            String shown = name == null ? "null" : "'" + name + "'";
            throw new FoundupsDbException(ErrorCode.INVALID_NAME, kind.describeName() + " " + shown + " is not valid: "
                    + "use 1 to " + maxLength + " lower-case letters (a-z), digits and underscores, starting with "
                    + "a letter, for example 'youtube_bot'");
        }
        return name;
    }

    /**
     * The prefix of every physical table of a namespace.
     *
     * @param kind module or FoundUp
     * @param name a validated name
     * @return for example {@code foundups_youtube_bot_}
     */
    public static String tablePrefix(NamespaceKind kind, String name) {
        return kind.kindPrefix() + name + "_";
    }
}
