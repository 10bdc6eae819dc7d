package dev.foundups.db.spring;

import dev.foundups.db.FoundUp;
import dev.foundups.db.FoundupsDb;

/**
 * The FoundUp projects of the application's database, as a bean: inject it and ask for a FoundUp by id.
 *
 * <pre>
 * &#64;GetMapping("/foundups/{id}/users")
 * List&lt;String&gt; users(&#64;PathVariable String id) {
 *     return foundUps.get(id).users().stream().map(FoundupUsersRecord::getUsername).toList();
 * }
 * </pre>
 */
public final class FoundUps {

    private final FoundupsDb db;

    FoundUps(FoundupsDb db) {
        this.db = db;
    }

    /**
     * A FoundUp's tables and typed API, created from the FoundUp template on first use.
     *
     * @param id the FoundUp id: lower-case letters, digits and underscores, starting with a letter
     * @return the FoundUp; cheap to call again
     * @throws dev.foundups.db.FoundupsDbException INVALID_NAME for a bad id; NAME_CONFLICT
     */
    public FoundUp get(String id) {
        return db.foundUp(id);
    }
}
