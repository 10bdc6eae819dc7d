package dev.foundups.db.internal.backup;

import java.io.File;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.config.DatabaseUrl;

/**
 * Runs a PostgreSQL client program ({@code pg_dump}, {@code pg_restore}) against the database of a URL. The
 * connection goes in libpq's environment variables, so the password never appears on a command line (where
 * {@code ps} shows it) nor in a message.
 */
final class PostgresClient {

    private final Path program;
    private final Map<String, String> environment;
    private final String database;

    private PostgresClient(Path program, Map<String, String> environment, String database) {
        this.program = program;
        this.environment = environment;
        this.database = database;
    }

    /**
     * @param name      the program, such as {@code pg_dump}
     * @param folder    where to look for it; null for the PATH
     * @param url       the database; null for a run that connects to none (reading an archive)
     * @param operation what it is for, for the message when it is missing
     * @return a client ready to run
     * @throws FoundupsDbException BACKUP naming the program when it cannot be found
     */
    static PostgresClient find(String name, Path folder, DatabaseUrl url, String operation) {
        Path program = locate(name, folder).orElseThrow(() -> new FoundupsDbException(ErrorCode.BACKUP, operation
                + " on PostgreSQL runs " + name + ", which was not found " + (folder == null ? "on the PATH"
                : "in " + folder) + ". Install the PostgreSQL client programs of the server's major version or newer "
                + "(Debian: apt-get install postgresql-client-15), or name their folder with "
                + "FoundupsDb.configure().postgresClientTools(folder)"));
        Map<String, String> env = new HashMap<>();
        String database = url == null ? null : libpqEnvironment(url, env);
        return new PostgresClient(program, env, database);
    }

    /** @return the database name from the URL */
    String database() {
        return database;
    }

    /**
     * Runs the program and waits for it.
     *
     * @param arguments its arguments, without the program
     * @throws FoundupsDbException BACKUP with the program's own error output when it fails
     */
    void run(List<String> arguments) throws IOException {
        run(arguments, false);
    }

    /**
     * Runs the program and returns what it wrote on its standard output, kept in memory only: it may hold what an
     * archive holds (such as shard URLs with their passwords), which must not land in a file.
     *
     * @param arguments its arguments, without the program
     * @return its standard output
     * @throws FoundupsDbException BACKUP with the program's own error output when it fails
     */
    String output(List<String> arguments) throws IOException {
        return run(arguments, true);
    }

    private String run(List<String> arguments, boolean keepOutput) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Path errors = Files.createTempFile("foundups-db-" + program.getFileName(), ".log");
        try {
            builder.redirectOutput(keepOutput ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.DISCARD)
                    .redirectError(errors.toFile());
            Process process = builder.start();
            int exit;
            String output;
            try {
                // Errors go to a file, so reading the output to its end cannot block on a full error pipe.
                output = keepOutput ? new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                        : null;
                exit = process.waitFor();
            } catch (InterruptedException e) {
                process.destroy();
                Thread.currentThread().interrupt();
                throw new FoundupsDbException(ErrorCode.BACKUP, "interrupted while " + program.getFileName()
                        + " was running; it was stopped", e);
            }
            if (exit != 0) {
                String error = Files.readString(errors, StandardCharsets.UTF_8).strip();
                throw new FoundupsDbException(ErrorCode.BACKUP, program.getFileName() + " failed (exit code " + exit
                        + "): " + DatabaseUrl.mask(error));
            }
            return output;
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static Optional<Path> locate(String name, Path folder) {
        List<String> folders = new ArrayList<>();
        if (folder != null) {
            folders.add(folder.toString());
        } else {
            String path = System.getenv("PATH");
            if (path != null) {
                folders.addAll(List.of(path.split(File.pathSeparator)));
            }
        }
        for (String f : folders) {
            if (f.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(f, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Translates the JDBC URL into libpq's variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE...).
     * Parameters that only pgjdbc knows are left out.
     *
     * @return the database name
     */
    static String libpqEnvironment(DatabaseUrl url, Map<String, String> env) {
        String rest = url.jdbcUrl().substring("jdbc:postgresql:".length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String database;
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            String hosts = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
            database = slash < 0 ? "" : rest.substring(slash + 1);
            List<String> hostNames = new ArrayList<>();
            List<String> ports = new ArrayList<>();
            for (String hostPort : hosts.split(",")) {
                int colon = hostPort.lastIndexOf(':');
                boolean hasPort = colon > 0 && !hostPort.endsWith("]");
                hostNames.add(hasPort ? hostPort.substring(0, colon) : hostPort);
                ports.add(hasPort ? hostPort.substring(colon + 1) : "5432");
            }
            env.put("PGHOST", String.join(",", hostNames).replace("[", "").replace("]", ""));
            env.put("PGPORT", String.join(",", ports));
            if (hostNames.size() > 1) {
                // Several hosts (a failover pair): dump and restore on the primary, as pgjdbc writes there.
                env.put("PGTARGETSESSIONATTRS", "read-write");
            }
        } else {
            database = rest; // jdbc:postgresql:database means localhost:5432
        }
        env.put("PGDATABASE", database.isEmpty() ? "postgres" : decode(database));
        url.user().ifPresent(u -> env.put("PGUSER", u));
        url.password().ifPresent(p -> env.put("PGPASSWORD", p));
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = pair.substring(0, eq);
            String value = decode(pair.substring(eq + 1));
            switch (key) {
                case "user" -> env.put("PGUSER", value);
                case "password" -> env.put("PGPASSWORD", value);
                case "sslmode" -> env.put("PGSSLMODE", value);
                case "sslrootcert" -> env.put("PGSSLROOTCERT", value);
                case "sslcert" -> env.put("PGSSLCERT", value);
                case "sslkey" -> env.put("PGSSLKEY", value);
                case "connectTimeout" -> env.put("PGCONNECT_TIMEOUT", value);
                case "targetServerType" -> env.put("PGTARGETSESSIONATTRS", "primary".equals(value) ? "read-write"
                        : value);
                default -> {
                    // pgjdbc-only settings (ApplicationName, prepareThreshold, ...) mean nothing to libpq.
                }
            }
        }
        env.putIfAbsent("PGAPPNAME", "foundups-db");
        return env.get("PGDATABASE");
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }
}
