package dev.foundups.db;

import java.util.Locale;

/** The two kinds of namespace that are instantiated from templates. The third, agents, is a single fixed set. */
public enum NamespaceKind {
    /** A platform module's own tables: {@code modules_<module>_<table>}. */
    MODULE("modules_", "module name"),
    /** An independent FoundUp project's tables: {@code foundups_<foundup>_<table>}. */
    FOUNDUP("foundups_", "FoundUp id");

    private final String prefix;
    private final String what;

    NamespaceKind(String prefix, String what) {
        this.prefix = prefix;
        this.what = what;
    }

    /** @return the namespace's first name part, such as {@code modules_} */
    public String kindPrefix() {
        return prefix;
    }

    /** @return how a name of this kind is called in messages, such as "FoundUp id" */
    public String describeName() {
        return what;
    }

    /** @return the value stored in the catalog, such as {@code module} */
    public String catalogValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param value a catalog value
     * @return the kind it names
     * @throws IllegalArgumentException for an unknown value
     */
    public static NamespaceKind fromCatalogValue(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
