package dev.foundups.db.cli;

import java.io.PrintWriter;

import dev.foundups.db.MigrationListener;
import dev.foundups.db.MigrationReport;
import dev.foundups.db.NamespaceInfo;

/**
 * Shows a migration's progress: a bar redrawn in place on a terminal, plain lines otherwise (logs, CI), and every
 * failure on a line of its own.
 */
final class ProgressListener implements MigrationListener {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private int total;
    private int done;
    private int failed;
    private int lastLine;

    ProgressListener(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void started(int pending) {
        total = pending;
        if (pending > 0) {
            out.println("Migrating " + pending + " namespace(s)...");
        }
    }

    @Override
    public void migrated(NamespaceInfo namespace, int fromVersion, int toVersion) {
        done++;
        show();
    }

    @Override
    public void failed(NamespaceInfo namespace, String error) {
        done++;
        failed++;
        if (terminal) {
            out.print("\r" + " ".repeat(WIDTH + 40) + "\r");
        }
        out.println("failed: " + namespace.label() + ": " + error);
        show();
    }

    @Override
    public void finished(MigrationReport report) {
        if (terminal && total > 0) {
            out.println();
        }
        out.flush();
    }

    /** A bar of fixed width filled in proportion, such as {@code [#########.....................]}. */
    static String bar(long done, long total) {
        int filled = total <= 0 ? WIDTH : (int) Math.min(WIDTH, done * WIDTH / total);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "]";
    }

    private void show() {
        if (terminal) {
            out.print("\r" + bar(done, total) + " " + done + "/" + total
                    + (failed > 0 ? " (" + failed + " failed)" : ""));
            out.flush();
        } else {
            // About twenty lines for the whole run, and always the last one.
            int step = Math.max(1, total / 20);
            if (done == total || done - lastLine >= step) {
                lastLine = done;
                out.println("migrated " + done + "/" + total + (failed > 0 ? " (" + failed + " failed)" : ""));
            }
        }
    }
}
