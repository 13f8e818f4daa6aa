package io.sluice.transparency;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Types;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns what a client sees into text: every result of a statement with its column metadata (label, type,
 * precision, scale, signedness, character set) and its values, update counts, warnings and errors.
 */
final class Observer {
    private final List<String> out;
    private final Namespace namespace;

    Observer(List<String> out, Namespace namespace) {
        this.out = out;
        this.namespace = namespace;
    }

    void add(String observation) {
        out.add(LegitimateDifferences.normalize(observation, namespace));
    }

    /** Every result of an executed statement: result sets and update counts, in order, up to an error. */
    void results(Statement statement, boolean firstIsResultSet) throws SQLException {
        boolean isResultSet = firstIsResultSet;
        for (int guard = 0; guard < 100; guard++) {
            if (isResultSet) {
                try (ResultSet rs = statement.getResultSet()) {
                    resultSet(rs);
                }
            } else {
                long count = statement.getLargeUpdateCount();
                if (count == -1) {
                    return;
                }
                add("update count " + count);
            }
            isResultSet = statement.getMoreResults();
        }
    }

    void resultSet(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        StringBuilder header = new StringBuilder("columns");
        int n = md.getColumnCount();
        for (int i = 1; i <= n; i++) {
            header.append(" | ").append(column(md, i));
        }
        add(header.toString());
        int rows = 0;
        while (rs.next()) {
            StringBuilder row = new StringBuilder("row");
            for (int i = 1; i <= n; i++) {
                row.append(" | ").append(LegitimateDifferences.masked(md.getColumnLabel(i)) ? "<masked>" : value(rs, md, i));
            }
            add(row.toString());
            if (++rows > 200) {
                add("(more rows)");
                return;
            }
        }
    }

    /** Column metadata as a prepared statement describes it before running (null when it returns no rows). */
    void metadata(PreparedStatement ps) throws SQLException {
        ResultSetMetaData md = ps.getMetaData();
        if (md == null) {
            add("no result metadata");
            return;
        }
        StringBuilder header = new StringBuilder("prepared columns");
        for (int i = 1; i <= md.getColumnCount(); i++) {
            header.append(" | ").append(column(md, i));
        }
        add(header.toString());
        add("parameters " + ps.getParameterMetaData().getParameterCount());
    }

    private static String column(ResultSetMetaData md, int i) throws SQLException {
        String charset;
        try {
            charset = md.unwrap(com.mysql.cj.jdbc.result.ResultSetMetaData.class).getColumnCharacterSet(i);
        } catch (SQLException e) {
            charset = "?";
        }
        return md.getColumnLabel(i) + " " + md.getColumnTypeName(i) + "(" + md.getPrecision(i) + "," + md.getScale(i) + ")"
                + (md.isSigned(i) ? "" : " unsigned") + " " + charset;
    }

    private static String value(ResultSet rs, ResultSetMetaData md, int i) throws SQLException {
        int type = md.getColumnType(i);
        switch (type) {
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                byte[] b = rs.getBytes(i);
                return b == null ? "NULL" : "0x" + HexFormat.of().formatHex(b);
            }
            case Types.DOUBLE, Types.FLOAT, Types.REAL -> {
                String s = rs.getString(i);
                // The text protocol gives the server's rendering, the binary one the exact bits: show both ways.
                return s == null ? "NULL" : s + " (" + Double.doubleToRawLongBits(rs.getDouble(i)) + ")";
            }
            case Types.DECIMAL, Types.NUMERIC -> {
                BigDecimal d = rs.getBigDecimal(i);
                return d == null ? "NULL" : d.toPlainString();
            }
            default -> {
                String s = rs.getString(i);
                return s == null ? "NULL" : s;
            }
        }
    }

    void error(SQLException e) {
        String state = e.getSQLState();
        String message = LegitimateDifferences.isDriverCommunicationsError(state) ? "(connection failure)" : e.getMessage();
        add("error " + e.getErrorCode() + " " + state + " " + message);
    }

    void warnings(SQLWarning w) {
        if (w == null) {
            add("no warnings");
            return;
        }
        for (int i = 0; w != null && i < 100; i++, w = w.getNextWarning()) {
            add("warning " + w.getErrorCode() + " " + w.getSQLState() + " " + w.getMessage());
        }
    }
}
