package dev.foundups.db.internal.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import dev.foundups.db.NamespaceKind;

import dev.foundups.db.FoundupsDbException;

class NamespaceNameTest {

    @Test
    void theLimitKeepsEveryNameWithinPostgresIdentifiers() {
        // foundups_ (9) + name + _ (1) + longest suffix must be at most 63.
        assertEquals(37, NamespaceName.maxLength(NamespaceKind.FOUNDUP, 16));
        assertEquals(38, NamespaceName.maxLength(NamespaceKind.MODULE, 16));
        assertEquals(NamespaceName.MAX_NAME_LENGTH, NamespaceName.maxLength(NamespaceKind.MODULE, 3));
        String name = "a".repeat(37);
        assertEquals(63, (NamespaceName.tablePrefix(NamespaceKind.FOUNDUP, name) + "x".repeat(16)).length());
    }

    @Test
    void acceptsTheRuleAndNothingElse() {
        assertEquals("youtube_bot", NamespaceName.validate(NamespaceKind.FOUNDUP, "youtube_bot", 37));
        assertEquals("a1_", NamespaceName.validate(NamespaceKind.MODULE, "a1_", 37));
        FoundupsDbException e = assertThrows(FoundupsDbException.class,
                () -> NamespaceName.validate(NamespaceKind.MODULE, "Chat", 35));
        assertEquals("module name 'Chat' is not valid: use 1 to 35 lower-case letters (a-z), digits and underscores, "
                + "starting with a letter, for example 'youtube_bot'", e.getMessage());
        assertThrows(FoundupsDbException.class, () -> NamespaceName.validate(NamespaceKind.MODULE, "ab\u00e9", 35));
        assertThrows(FoundupsDbException.class, () -> NamespaceName.validate(NamespaceKind.MODULE, "abc", 2));
    }
}
