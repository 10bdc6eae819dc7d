package dev.foundups.db.internal.backup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;

/**
 * Reads one table's rows out of a {@code pg_dump} archive without restoring it: {@code pg_restore --data-only
 * --table=T --file=-} prints the table's {@code COPY ... FROM stdin} block, whose text format is decoded here. A
 * restore uses it to learn, before it writes anything anywhere, what the archive's directory says.
 */
public final class PostgresArchive {

    private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern OCTAL = Pattern.compile("[0-7]{1,3}");
    private static final Pattern HEX = Pattern.compile("x[0-9a-fA-F]{1,2}");

    private PostgresArchive() {
    }

    /**
     * @param archive     a {@code pg_dump} archive (custom format)
     * @param table       the table, lower case, without a schema
     * @param clientTools the folder of {@code pg_restore}, or null for the PATH
     * @return the table's rows, each column name to its text value (null for SQL NULL); empty when the archive has no
     *         data for that table
     * @throws FoundupsDbException BACKUP when pg_restore is missing or cannot read the archive
     */
    public static List<Map<String, String>> rows(Path archive, String table, Path clientTools) throws IOException {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("table must be a lower-case identifier, was '" + table + "'");
        }
        PostgresClient pgRestore = PostgresClient.find("pg_restore", clientTools, null, "restore");
        String sql = pgRestore.output(List.of("--data-only", "--table=" + table, "--file=-", archive.toString()));
        return copyRows(sql, table);
    }

    /** @return the rows of the table's COPY block in a plain-SQL dump */
    static List<Map<String, String>> copyRows(String sql, String table) {
        Pattern header = Pattern.compile("COPY (?:\"?[a-z_][a-z0-9_]*\"?\\.)?\"?" + table
                + "\"? \\((.*)\\) FROM stdin;");
        List<Map<String, String>> rows = new ArrayList<>();
        List<String> columns = null;
        for (String line : sql.split("\n", -1)) {
            if (columns == null) {
                Matcher m = header.matcher(line);
                if (m.matches()) {
                    columns = new ArrayList<>();
                    for (String c : m.group(1).split(",")) {
                        columns.add(c.strip().replace("\"", ""));
                    }
                }
                continue;
            }
            if (line.equals("\\.")) {
                return rows;
            }
            String[] fields = line.split("\t", -1);
            if (fields.length != columns.size()) {
                throw new FoundupsDbException(ErrorCode.BACKUP, "the archive's data for " + table + " has a row of "
                        + fields.length + " field(s) where its COPY header names " + columns.size());
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < fields.length; i++) {
                row.put(columns.get(i), decode(fields[i]));
            }
            rows.add(row);
        }
        if (columns != null) {
            throw new FoundupsDbException(ErrorCode.BACKUP, "the archive's data for " + table + " ends without "
                    + "its end marker: the archive is damaged");
        }
        return rows;
    }

    /** COPY's text format: {@code \N} is NULL; a backslash escapes a control character, an octal or hex byte. */
    static String decode(String field) {
        if (field.equals("\\N")) {
            return null;
        }
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char ch = field.charAt(i);
            if (ch != '\\' || i + 1 == field.length()) {
                out.append(ch);
                continue;
            }
            char next = field.charAt(++i);
            String rest = field.substring(i);
            Matcher octal = OCTAL.matcher(rest);
            Matcher hex = HEX.matcher(rest);
            if (octal.lookingAt()) {
                out.append((char) Integer.parseInt(octal.group(), 8));
                i += octal.group().length() - 1;
            } else if (hex.lookingAt()) {
                out.append((char) Integer.parseInt(hex.group().substring(1), 16));
                i += hex.group().length() - 1;
            } else {
                out.append(switch (next) {
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'v' -> '\u000b';
                    default -> next;
                });
            }
        }
        return out.toString();
    }
}
