package dev.foundups.db.internal.sharding;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.foundups.db.BackupResult.ShardArchive;

/**
 * {@code manifest.json} of a backup set: what each archive is, the directory's placements as read before the first
 * archive and after the last, and whether the set is consistent. URLs are masked; no password is written.
 */
final class BackupManifest {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    /** The manifest's format; a reader refuses a version it does not know. */
    static final int VERSION = 1;

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
            g.writeStringField("format", "foundups-db backup set");
            g.writeNumberField("version", VERSION);
            g.writeBooleanField("consistent", inconsistencies.isEmpty());
            g.writeStringField("about", "One pg_dump archive (custom format) per shard, each one consistent "
                    + "snapshot of its shard, taken one after another (main, which holds the directory, first). "
                    + "When consistent, every namespace and agent is in exactly one archive, at that archive's "
                    + "snapshot. Restore each archive with pg_restore into an empty database for its shard.");
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
}
