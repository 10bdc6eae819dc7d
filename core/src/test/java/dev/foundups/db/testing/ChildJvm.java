package dev.foundups.db.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A second JVM running a main class from the test class path: for tests that need another process on the same
 * database, or one to kill with SIGKILL.
 *
 * <pre>
 * try (ChildJvm child = ChildJvm.start(CrashWriter.class, List.of(url))) {
 *     child.awaitLine("READY"::equals, Duration.ofSeconds(60));
 *     child.kill();                                   // SIGKILL: no shutdown hooks, no finally blocks
 *     List&lt;String&gt; printed = child.lines();           // every complete line it printed before it died
 * }
 * </pre>
 *
 * <p>Only complete lines (ended by a newline) are reported: a child killed in the middle of printing leaves a
 * partial line, which is not something it finished saying. Standard error is kept for failure messages.
 */
public final class ChildJvm implements AutoCloseable {

    /** Small heap and serial GC: these children are many, short-lived, and share two cores with the build. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    private final String name;
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread stdoutPump;
    private final Thread stderrPump;

    private ChildJvm(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdoutPump = pump(process.getInputStream(), this::addLine, name + "-stdout");
        this.stderrPump = pump(process.getErrorStream(), this::addStderr, name + "-stderr");
    }

    /**
     * Starts {@code java} with this JVM's test class path, {@link #DEFAULT_JVM_OPTIONS} and a main class.
     *
     * @param mainClass the class whose {@code main} to run
     * @param arguments its arguments
     * @return the running child
     */
    public static ChildJvm start(Class<?> mainClass, List<String> arguments) {
        return start(mainClass, DEFAULT_JVM_OPTIONS, arguments);
    }

    /**
     * Starts {@code java} with this JVM's test class path, the given options and a main class.
     *
     * @param mainClass  the class whose {@code main} to run
     * @param jvmOptions options before the class name, such as {@code -Dkey=value}
     * @param arguments  its arguments
     * @return the running child
     */
    public static ChildJvm start(Class<?> mainClass, List<String> jvmOptions, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(testClassPath());
        command.add(mainClass.getName());
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command).start();
            return new ChildJvm(mainClass.getSimpleName() + "#" + process.pid(), process);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a child JVM: " + command, e);
        }
    }

    /**
     * Under surefire the class path of the test JVM is often one manifest-only jar, while surefire also passes the
     * real one in {@code surefire.test.class.path}; anywhere else (an IDE) {@code java.class.path} is the real one.
     */
    static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    /** @return the child's process id */
    public long pid() {
        return process.pid();
    }

    /** @return whether the child is still running */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the complete lines the child printed to standard output so far, in order */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** @return what the child printed to standard error so far */
    public String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /**
     * Waits for a line, including one printed before this call.
     *
     * @param matcher which line
     * @param timeout how long to wait
     * @return the first matching line
     * @throws IllegalStateException when the child exits or the time runs out first; the message holds its
     *                               standard error
     */
    public String awaitLine(Predicate<String> matcher, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (matcher.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!stdoutPump.isAlive() && seen == lines.size())) {
                    throw new IllegalStateException(name + (process.isAlive() ? " printed no such line within "
                            + timeout : " ended without printing such a line") + "; stderr:\n" + stderr());
                }
                try {
                    lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for " + name, e);
                }
            }
        }
    }

    /**
     * Kills the child with SIGKILL (no shutdown hooks, no finally blocks, nothing flushed) and waits until it is
     * gone and its output is read to the end.
     */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /**
     * Waits for the child to exit by itself.
     *
     * @param timeout how long to wait before killing it
     * @return its exit code
     * @throws IllegalStateException when it had to be killed
     */
    public int waitFor(Duration timeout) {
        if (!awaitExit(timeout)) {
            kill();
            throw new IllegalStateException(name + " did not exit within " + timeout + " and was killed; stderr:\n"
                    + stderr());
        }
        return process.exitValue();
    }

    private boolean awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
            stdoutPump.join(10_000);
            stderrPump.join(10_000);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + name, e);
        }
    }

    /** Kills the child if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return name;
    }

    private void addLine(String line) {
        synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
        }
    }

    private void addStderr(String line) {
        synchronized (stderr) {
            stderr.append(line).append('\n');
        }
    }

    /** Reads a stream to its end, handing on each newline-terminated line; a trailing partial line is dropped. */
    private static Thread pump(InputStream in, java.util.function.Consumer<String> sink, String threadName) {
        Thread thread = new Thread(() -> {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            sink.accept(line.toString(StandardCharsets.UTF_8));
                            line.reset();
                        } else {
                            line.write(buffer[i]);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the child is gone; what was read is all there is
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * @param prefix a line's first word
     * @return the complete lines starting with that word, split on spaces after it
     */
    public List<List<String>> linesStartingWith(String prefix) {
        List<List<String>> found = new ArrayList<>();
        for (String line : lines()) {
            String[] words = line.split(" ");
            if (words[0].equals(prefix)) {
                found.add(List.of(words).subList(1, words.length));
            }
        }
        return found;
    }
}
