package dev.foundups.db.internal.json;

import java.io.IOException;
import java.io.StringWriter;

import org.jooq.JSON;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/**
 * Checks JSON text before it is stored, and stores it in one compact form. SQLite keeps a JSON column as text and
 * would store anything; PostgreSQL's {@code json} would reject it only at insert time with a less helpful message,
 * and keeps the caller's whitespace where jOOQ on SQLite minifies it. Checking and compacting first gives the same
 * message and the same stored text on both.
 */
public final class JsonDocuments {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private JsonDocuments() {
    }

    /**
     * Parses JSON text for a column.
     *
     * @param what a description for the message, such as "pattern_data"
     * @param text the JSON text, or null for SQL NULL
     * @return the document in compact form (no insignificant whitespace), or null
     * @throws FoundupsDbException (INVALID_INPUT) saying where the text stops being one JSON value
     */
    public static JSON of(String what, String text) {
        if (text == null) {
            return null;
        }
        StringWriter compact = new StringWriter(text.length());
        try (JsonParser parser = FACTORY.createParser(text);
             JsonGenerator generator = FACTORY.createGenerator(compact)) {
            if (parser.nextToken() == null) {
                throw invalid(what, "it is empty", null);
            }
            generator.copyCurrentStructure(parser);
            JsonToken extra = parser.nextToken();
            if (extra != null) {
                throw invalid(what, "there is more after the first value", parser.currentTokenLocation());
            }
            generator.flush();
            return JSON.valueOf(compact.toString());
        } catch (JsonProcessingException e) {
            throw invalid(what, e.getOriginalMessage(), e.getLocation());
        } catch (IOException e) {
            throw invalid(what, e.getMessage(), null);
        }
    }

    /**
     * Checks a jOOQ JSON value.
     *
     * @param what a description for the message
     * @param json the document, or null
     * @return the same document, or null
     * @throws FoundupsDbException (INVALID_INPUT) when its text is not one JSON value
     */
    public static JSON of(String what, JSON json) {
        return json == null ? null : of(what, json.data());
    }

    private static FoundupsDbException invalid(String what, String why, JsonLocation at) {
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return new FoundupsDbException(ErrorCode.INVALID_INPUT, what + " is not valid JSON" + where + ": " + why);
    }
}
