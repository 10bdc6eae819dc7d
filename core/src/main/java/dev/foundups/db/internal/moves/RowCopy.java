package dev.foundups.db.internal.moves;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;

import dev.foundups.db.FoundupsDbException;
import dev.foundups.db.FoundupsDbException.ErrorCode;
import dev.foundups.db.internal.naming.SqlIdentifier;

/**
 * Copies rows from one PostgreSQL server to another with {@code COPY ... TO STDOUT} piped into
 * {@code COPY ... FROM STDIN} in the text format, which two servers of the same major version read back exactly,
 * and verifies each table by its row count and a checksum computed by each server over the same column list: the
 * sum of the first 64 bits of each row's MD5, order-independent. Both sessions are in UTC
 * ({@link ShardEndpoint}), so a timestamp's text is the same on both sides.
 */
final class RowCopy {

    private RowCopy() {
    }

    /** Rows and checksum of one table (or of one agent's rows in it). */
    record Sum(long rows, String checksum) {
    }

    /**
     * Copies every row of a table, verifying them afterwards.
     *
     * @param source      inside the freezing transaction
     * @param sourceTable qualified, quoted source table
     * @param target      inside the target's transaction
     * @param targetTable qualified, quoted target table
     * @param columns     the columns to copy and verify, checked identifiers
     * @return the rows copied
     * @throws FoundupsDbException TRANSFER naming the table when counts or checksums differ
     */
    static long copy(Connection source, String sourceTable, Connection target, String targetTable,
                     List<String> columns) throws SQLException {
        String list = columns.stream().map(c -> SqlIdentifier.quoted("column", c)).collect(Collectors.joining(", "));
        CopyOut out = source.unwrap(PGConnection.class).getCopyAPI()
                .copyOut("COPY (SELECT " + list + " FROM " + sourceTable + ") TO STDOUT");
        CopyIn in = null;
        try {
            in = target.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + targetTable + " (" + list + ") FROM STDIN");
            for (byte[] row; (row = out.readFromCopy()) != null; ) {
                in.writeToCopy(row, 0, row.length);
            }
            in.endCopy();
        } finally {
            if (out.isActive()) {
                out.cancelCopy();
            }
            if (in != null && in.isActive()) {
                in.cancelCopy();
            }
        }
        Sum from = sum(source, sourceTable, columns, null, null);
        Sum to = sum(target, targetTable, columns, null, null);
        if (!from.equals(to)) {
            throw new FoundupsDbException(ErrorCode.TRANSFER, "the copy of " + targetTable + " does not match its "
                    + "source: " + from.rows() + " rows, checksum " + from.checksum() + " there; " + to.rows()
                    + " rows, checksum " + to.checksum() + " here. Nothing was switched; the move can be run again");
        }
        return to.rows();
    }

    /**
     * @param filterColumn a checked column to select rows by, or null for all rows
     * @param filterValue  its value, bound
     * @return rows and checksum of a table, as the connection's transaction sees it
     */
    static Sum sum(Connection connection, String table, List<String> columns, String filterColumn,
                   String filterValue) throws SQLException {
        String row = columns.stream().map(c -> SqlIdentifier.quoted("column", c)).collect(Collectors.joining(", "));
        String sql = "SELECT count(*), coalesce(sum(('x' || substr(md5(ROW(" + row + ")::text), 1, 16))"
                + "::bit(64)::bigint), 0)::text FROM " + table
                + (filterColumn == null ? "" : " WHERE " + SqlIdentifier.quoted("column", filterColumn) + " = ?");
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            if (filterColumn != null) {
                st.setString(1, filterValue);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return new Sum(rs.getLong(1), rs.getString(2));
            }
        }
    }

    /** Empties tables (a leftover of an interrupted copy) in one statement. */
    static void truncate(Connection connection, String qualifiedList) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("TRUNCATE " + qualifiedList);
        }
    }
}
