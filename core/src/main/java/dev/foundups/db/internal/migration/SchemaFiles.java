package dev.foundups.db.internal.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The changelog files under {@code db/foundups/} as a class loader sees them, read without Liquibase, and their
 * fingerprints: a SHA-256 over the paths and bytes of the files that make up the shared changelog or one template.
 *
 * <p>Opening a database compares these with the fingerprints stored in {@code foundupsdb_fingerprints} when the
 * files were last applied: equal, and nothing can be pending, so Liquibase (its scope, the XML parser and schema,
 * the change factories: most of what opening cost) is not loaded at all. Any difference in any file, or a class
 * path this class cannot list, takes the full path, which decides with Liquibase as before.
 *
 * <p>Lists {@code file:} folders and {@code jar:} entries, the forms of a normal class path; for any other kind of
 * class loader resource (a nested jar of a fat-jar launcher) {@link #scan} answers empty and every check takes the
 * full path.
 */
public final class SchemaFiles {

    /** The folder holding every changelog. */
    static final String ROOT = "db/foundups/";

    private final TreeMap<String, List<byte[]>> files;

    private SchemaFiles(TreeMap<String, List<byte[]>> files) {
        this.files = files;
    }

    /**
     * Lists and reads the changelog files a class loader sees.
     *
     * @param loader the class loader
     * @return the files, or empty when some location is neither a folder nor a jar
     */
    public static Optional<SchemaFiles> scan(ClassLoader loader) {
        TreeMap<String, List<byte[]>> files = new TreeMap<>();
        try {
            Enumeration<URL> roots = loader.getResources(ROOT);
            while (roots.hasMoreElements()) {
                URL root = roots.nextElement();
                if (!readRoot(root, files)) {
                    return Optional.empty();
                }
            }
        } catch (IOException | URISyntaxException | UncheckedIOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.of(new SchemaFiles(files));
    }

    private static boolean readRoot(URL root, TreeMap<String, List<byte[]>> files)
            throws IOException, URISyntaxException {
        if ("file".equals(root.getProtocol())) {
            Path dir = Path.of(root.toURI());
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                    String relative = dir.relativize(file).toString().replace('\\', '/');
                    add(files, ROOT + relative, Files.readAllBytes(file));
                }
            }
            return true;
        }
        if ("jar".equals(root.getProtocol())) {
            URLConnection connection = root.openConnection();
            if (!(connection instanceof JarURLConnection jarConnection)) {
                return false;
            }
            jarConnection.setUseCaches(false);
            try (JarFile jar = new JarFile(Path.of(jarConnection.getJarFileURL().toURI()).toFile())) {
                for (JarEntry entry : Collections.list(jar.entries())) {
                    if (!entry.isDirectory() && entry.getName().startsWith(ROOT)) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            add(files, entry.getName(), in.readAllBytes());
                        }
                    }
                }
            }
            return true;
        }
        return false;
    }

    private static void add(TreeMap<String, List<byte[]>> files, String path, byte[] bytes) {
        files.computeIfAbsent(path, p -> new ArrayList<>()).add(bytes);
    }

    /** @return the class path locations of every file, such as {@code db/foundups/changelog.xml}, sorted */
    public List<String> paths() {
        return List.copyOf(files.keySet());
    }

    /**
     * @param parts texts
     * @return hex SHA-256 of the texts, each followed by a zero byte
     */
    public static String sha256(String... parts) {
        MessageDigest digest = sha256();
        for (String part : parts) {
            digest.update(part.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param salt    what else the result depends on, such as the dialect
     * @param include which files count, by class path location
     * @return hex SHA-256 of the salt and of each included file's path and bytes, in path order
     */
    public String fingerprint(String salt, Predicate<String> include) {
        MessageDigest digest = sha256();
        digest.update(salt.getBytes(StandardCharsets.UTF_8));
        files.forEach((path, copies) -> {
            if (include.test(path)) {
                digest.update((byte) 0);
                digest.update(path.getBytes(StandardCharsets.UTF_8));
                for (byte[] bytes : copies) {
                    digest.update((byte) 1);
                    digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
                    digest.update(bytes);
                }
            }
        });
        return HexFormat.of().formatHex(digest.digest());
    }
}
