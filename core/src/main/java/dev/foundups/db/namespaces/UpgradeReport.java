package dev.foundups.db.namespaces;

import java.util.List;
import java.util.Map;

/**
 * What bringing the namespaces up to date did.
 *
 * @param checked  how many namespaces were looked at
 * @param upgraded how many had pending template changes and now have none
 * @param failed   each namespace (such as {@code foundup:youtube_bot}) whose changes failed, with the error; those
 *                 are marked failed in the catalog and retried by the next run
 */
public record UpgradeReport(int checked, int upgraded, Map<String, String> failed) {
    public UpgradeReport {
        failed = Map.copyOf(failed);
    }

    /** @return the names of the namespaces that failed */
    public List<String> failedNamespaces() {
        return failed.keySet().stream().sorted().toList();
    }
}
