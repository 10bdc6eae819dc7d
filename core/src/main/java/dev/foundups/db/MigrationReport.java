package dev.foundups.db;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a migration did: how many namespaces were behind their template, how many were brought up to date, and
 * which failed with what error. Failed namespaces are marked {@link NamespaceState#FAILED} and retried by the next
 * migration; the others are not touched again.
 *
 * @param checked  namespaces looked at (all that are not dropped)
 * @param pending  namespaces that had template changes to apply, or had failed before
 * @param migrated namespaces brought up to date by this run
 * @param failed   label ({@code kind:name}) to error, for each namespace that failed
 * @param elapsed  how long the run took
 */
public record MigrationReport(int checked, int pending, int migrated, Map<String, String> failed, Duration elapsed) {
    public MigrationReport {
        failed = Map.copyOf(failed);
    }

    /** @return the labels of the namespaces that failed, sorted */
    public List<String> failedNamespaces() {
        return failed.keySet().stream().sorted().toList();
    }

    /** @return true when no namespace failed */
    public boolean succeeded() {
        return failed.isEmpty();
    }
}
