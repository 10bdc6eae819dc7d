package dev.foundups.db.internal.sharding;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import dev.foundups.db.BackupResult.ShardArchive;
import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/**
 * {@code manifest.json} of a backup set: what each archive is, the directory's placements as read before the first
 * archive and after the last, and whether the set is consistent. URLs are masked; no password is written.
 */
final class BackupManifest {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    /** The manifest's format; a reader refuses a version it does not know. */
    static final int VERSION = 1;

    private static final String FORMAT = "foundups-db backup set";

    private BackupManifest() {
    }

    /**
     * A placement that makes the set inconsistent.
     *
     * @param kind     MODULE, FOUNDUP or AGENT
     * @param name     its name
     * @param sentence what happened, for people
     */
    record Inconsistency(String kind, String name, String sentence) {
    }

    static byte[] json(List<ShardArchive> archives, ShardedBackup.DirectoryRead before,
                       ShardedBackup.DirectoryRead after, List<Inconsistency> inconsistencies) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out).useDefaultPrettyPrinter()) {
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeNumberField("version", VERSION);
            g.writeBooleanField("consistent", inconsistencies.isEmpty());
            g.writeStringField("about", "One pg_dump archive (custom format) per shard, each one consistent "
                    + "snapshot of its shard, taken one after another (main, which holds the directory, first). "
                    + "When consistent, every namespace and agent is in exactly one archive, at that archive's "
                    + "snapshot. Restore it with 'foundups-db restore FOLDER' (or FoundupsDb.configure()"
                    + ".restoreSet(folder)), which puts each archive into an empty database for its shard.");
            g.writeArrayFieldStart("inconsistencies");
            for (Inconsistency i : inconsistencies) {
                g.writeStartObject();
                g.writeStringField("kind", i.kind());
                g.writeStringField("name", i.name());
                g.writeStringField("reason", i.sentence());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("shards");
            for (ShardArchive a : archives) {
                g.writeStartObject();
                g.writeStringField("name", a.shard());
                g.writeStringField("url", a.url());
                g.writeStringField("file", a.file().getFileName().toString());
                g.writeNumberField("bytes", a.bytes());
                g.writeStringField("snapshotAt", a.snapshotAt().toString());
                g.writeEndObject();
            }
            g.writeEndArray();
            writeRead(g, "directoryBefore", before);
            writeRead(g, "directoryAfter", after);
            g.writeEndObject();
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeRead(JsonGenerator g, String field, ShardedBackup.DirectoryRead read) throws IOException {
        g.writeObjectFieldStart(field);
        g.writeStringField("readAt", read.at().toString());
        g.writeArrayFieldStart("placements");
        for (Placement p : read.placements().values()) {
            g.writeStartObject();
            g.writeStringField("kind", p.kind().name());
            g.writeStringField("name", p.name());
            g.writeStringField("shard", p.shard());
            g.writeNumberField("epoch", p.epoch());
            g.writeStringField("state", p.state().name());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("unfinishedMoves");
        for (String key : read.runningMoves()) {
            g.writeString(key);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * A set's manifest as read back: what a restore needs.
     *
     * @param consistent      whether no placement moved while the set was taken
     * @param inconsistencies what happened to the placements that did, one sentence each
     * @param shards          the archives, in the order the manifest lists them ({@code main} first)
     */
    record Contents(boolean consistent, List<String> inconsistencies, List<Entry> shards) {
    }

    /**
     * One archive of the set.
     *
     * @param shard the shard's name
     * @param url   its URL when the set was taken, password masked
     * @param file  the archive's file name in the set's folder
     * @param bytes its size when it was written
     */
    record Entry(String shard, String url, String file, long bytes) {
    }

    /**
     * Reads a manifest written by {@link #json}.
     *
     * @param manifest the file
     * @return its contents
     * @throws FoundupsDbException BACKUP when it is not a set's manifest, or of a version this code does not know
     */
    static Contents read(Path manifest) throws IOException {
        Map<?, ?> root;
        try (JsonParser parser = FACTORY.createParser(Files.readAllBytes(manifest))) {
            parser.nextToken();
            root = value(parser) instanceof Map<?, ?> m ? m : Map.of();
        } catch (JsonProcessingException e) {
            throw notAManifest(manifest, "it is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (!FORMAT.equals(root.get("format"))) {
            throw notAManifest(manifest, "its \"format\" is not \"" + FORMAT + "\"");
        }
        if (!(root.get("version") instanceof Long version) || version != VERSION) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "the backup set's manifest " + manifest + " is of version "
                    + root.get("version") + ", which this release of FoundUps DB does not know (it reads version "
                    + VERSION + "); restore it with the release that wrote it, or a newer one");
        }
        List<String> inconsistencies = new ArrayList<>();
        for (Object o : list(root, "inconsistencies", manifest)) {
            inconsistencies.add(string(o, "reason", manifest));
        }
        List<Entry> shards = new ArrayList<>();
        for (Object o : list(root, "shards", manifest)) {
            Object bytes = o instanceof Map<?, ?> m ? m.get("bytes") : null;
            if (!(bytes instanceof Long size)) {
                throw notAManifest(manifest, "a shard has no \"bytes\"");
            }
            shards.add(new Entry(string(o, "name", manifest), string(o, "url", manifest), string(o, "file", manifest),
                    size));
        }
        if (!(root.get("consistent") instanceof Boolean consistent) || consistent != inconsistencies.isEmpty()) {
            throw notAManifest(manifest, "\"consistent\" is missing or disagrees with \"inconsistencies\"");
        }
        return new Contents(consistent, inconsistencies, shards);
    }

    private static List<?> list(Map<?, ?> root, String field, Path manifest) {
        if (root.get(field) instanceof List<?> list) {
            return list;
        }
        throw notAManifest(manifest, "it has no \"" + field + "\" list");
    }

    private static String string(Object object, String field, Path manifest) {
        if (object instanceof Map<?, ?> m && m.get(field) instanceof String s) {
            return s;
        }
        throw notAManifest(manifest, "an entry has no \"" + field + "\"");
    }

    private static FoundupsDbException notAManifest(Path manifest, String why) {
        return new FoundupsDbException(ErrorCode.BACKUP, manifest + " is not the manifest of a FoundUps DB backup "
                + "set: " + why);
    }

    /** A JSON value as maps, lists, strings, longs and booleans (jackson-core has no tree model). */
    private static Object value(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        if (token == JsonToken.START_OBJECT) {
            Map<String, Object> map = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                map.put(name, value(parser));
            }
            return map;
        }
        if (token == JsonToken.START_ARRAY) {
            List<Object> list = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                list.add(value(parser));
            }
            return list;
        }
        return switch (token == null ? JsonToken.NOT_AVAILABLE : token) {
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> parser.getLongValue();
            case VALUE_TRUE, VALUE_FALSE -> parser.getBooleanValue();
            default -> null;
        };
    }
}
