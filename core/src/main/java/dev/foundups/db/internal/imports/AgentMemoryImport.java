package dev.foundups.db.internal.imports;

import static dev.foundups.db.internal.imports.ImportLedger.invalid;
import static dev.foundups.db.internal.imports.ImportLedger.stem;
import static dev.foundups.db.internal.imports.ImportLedger.unreadable;
import static dev.foundups.db.jooq.Tables.AGENTS_MEMORY;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jooq.DSLContext;
import org.jooq.JSON;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.ImportReport;

/**
 * The protocol's "migrate_to_unified" for agent memory: each object of a JSON or JSON Lines file becomes one
 * {@code agents_memory} row. The whole file is read and checked before anything is written, then written in one
 * transaction; a file imported before adds nothing.
 *
 * <pre>
 * ImportReport report = new AgentMemoryImport(dsl).importFile(Path.of("error_patterns.jsonl"), "agent1", null);
 * </pre>
 */
public final class AgentMemoryImport {

    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    private final DSLContext dsl;

    /** @param dsl the target database's shared context */
    public AgentMemoryImport(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * Imports agent memory: a JSON file (an array of objects, or one object) or a JSON Lines file (one object a
     * line). Each object becomes one {@code agents_memory} row holding the object as its pattern.
     *
     * @param file        the file; {@code .jsonl} / {@code .ndjson} are read as JSON Lines
     * @param agent       owner for records without an {@code agent_id} field, or null
     * @param patternType the pattern type, or null for each record's {@code pattern_type}, else the file name
     * @return what was imported
     * @throws FoundupsDbException INVALID_INPUT naming the file and line when the file is not valid, or a record has
     *                             no owner and no {@code agent} was given
     */
    public ImportReport importFile(Path file, String agent, String patternType) {
        return new ImportLedger(dsl).importOnce(file, AGENTS_MEMORY.getName(), () -> {
            List<Object[]> rows = readAgentMemory(file, agent, patternType);
            return t -> Map.of(AGENTS_MEMORY.getName(), BatchInsert.insert(t, AGENTS_MEMORY,
                    List.of(AGENTS_MEMORY.AGENT_ID, AGENTS_MEMORY.PATTERN_TYPE, AGENTS_MEMORY.PATTERN_DATA), rows));
        });
    }

    /** Every record of the file as an agents_memory row: owner, pattern type, the object. */
    private static List<Object[]> readAgentMemory(Path file, String agent, String patternType) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean lines = name.endsWith(".jsonl") || name.endsWith(".ndjson");
        List<MemoryRecord> records = lines ? readJsonLines(file) : readJson(file);
        String defaultType = patternType != null ? patternType : stem(file);
        List<Object[]> rows = new ArrayList<>();
        for (MemoryRecord r : records) {
            String owner = r.agentId != null ? r.agentId : agent;
            if (owner == null) {
                throw invalid(file + ", line " + r.line + ": the record has no agent_id field; name the owner "
                        + "with --agent NAME");
            }
            String type = patternType != null ? patternType : r.patternType != null ? r.patternType : defaultType;
            rows.add(new Object[] {owner, type, JSON.valueOf(r.json)});
        }
        return rows;
    }

    /** One agent memory record: the object as compact JSON, and the fields that say whose and what it is. */
    private record MemoryRecord(int line, String json, String agentId, String patternType) {
    }

    private static List<MemoryRecord> readJsonLines(Path file) {
        List<MemoryRecord> records = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try (JsonParser p = JSON_FACTORY.createParser(line)) {
                    if (p.nextToken() != JsonToken.START_OBJECT) {
                        throw invalid(file + ", line " + number + ": a JSON Lines record must be an object");
                    }
                    records.add(object(p, number));
                    if (p.nextToken() != null) {
                        throw invalid(file + ", line " + number + ": more than one value on the line");
                    }
                } catch (JsonProcessingException e) {
                    throw invalid(file + ", line " + number + ": not valid JSON: " + e.getOriginalMessage());
                }
            }
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        return records;
    }

    private static List<MemoryRecord> readJson(Path file) {
        List<MemoryRecord> records = new ArrayList<>();
        try (JsonParser p = JSON_FACTORY.createParser(file.toFile())) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) {
                records.add(object(p, p.currentTokenLocation().getLineNr()));
            } else if (first == JsonToken.START_ARRAY) {
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    int line = p.currentTokenLocation().getLineNr();
                    if (t != JsonToken.START_OBJECT) {
                        throw invalid(file + ", line " + line + ": each record must be a JSON object");
                    }
                    records.add(object(p, line));
                }
            } else {
                throw invalid(file + ": expected a JSON array of objects, or one object");
            }
            if (p.nextToken() != null) {
                throw invalid(file + ", line " + p.currentTokenLocation().getLineNr() + ": more after the end of the "
                        + "JSON value");
            }
        } catch (JsonProcessingException e) {
            throw invalid(file + ", line " + e.getLocation().getLineNr() + ": not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw unreadable(file, e);
        }
        return records;
    }

    /** Copies the object the parser is at into compact JSON, noting its agent_id and pattern_type strings. */
    private static MemoryRecord object(JsonParser p, int line) throws IOException {
        StringWriter json = new StringWriter();
        String agentId = null;
        String patternType = null;
        try (JsonGenerator g = JSON_FACTORY.createGenerator(json)) {
            g.writeStartObject();
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                g.writeFieldName(field);
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING && field.equals("agent_id")) {
                    agentId = p.getText();
                } else if (value == JsonToken.VALUE_STRING && field.equals("pattern_type")) {
                    patternType = p.getText();
                }
                g.copyCurrentStructure(p);
            }
            g.writeEndObject();
        }
        return new MemoryRecord(line, json.toString(), agentId, patternType);
    }
}
