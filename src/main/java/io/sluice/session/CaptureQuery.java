package io.sluice.session;

import io.sluice.protocol.ColumnDefinition;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one SELECT that reads back, from the backend a client is about to leave, the session state its
 * statements changed where no OK packet says how: the last insert id (set by LAST_INSERT_ID(expr)), the
 * rows FOUND_ROWS() would count, and user variables with their exact type, character set and bytes.
 * Reading it back in the same borrow lets the client move to any backend without pinning.
 *
 * <p>Each variable is read four ways: itself (its column definition gives the type: integer, signed or
 * unsigned, decimal, double, or string), its CHARSET() and COLLATION(), and its HEX() (a string's bytes in its
 * own character set, whatever the session's result character set converts them to).
 */
public record CaptureQuery(boolean lastInsertId, boolean foundRows, List<String> userVariables) {
    /**
     * Ends every SELECT of Sluice's own that reads one row. Without a LIMIT of its own a SELECT takes the client's
     * sql_select_limit, and with 0 MariaDB 10.11 sends no row and evaluates nothing ({@code SELECT LAST_INSERT_ID(n)}
     * then sets no id): the reads of the session came back empty and their end read as the row.
     */
    public static final String ONE_ROW = " LIMIT 1";
    private static final int COLUMNS_PER_VARIABLE = 4;

    public boolean isEmpty() {
        return !lastInsertId && !foundRows && userVariables.isEmpty();
    }

    public String sql() {
        List<String> columns = new ArrayList<>();
        if (lastInsertId) {
            columns.add("LAST_INSERT_ID()");
        }
        if (foundRows) {
            // Read before this statement sets it: the value the previous statement left.
            columns.add("FOUND_ROWS()");
        }
        for (String name : userVariables) {
            String v = UserVariables.reference(name);
            columns.add(v + ", CHARSET(" + v + "), COLLATION(" + v + "), HEX(" + v + ")");
        }
        return "SELECT " + String.join(", ", columns) + ONE_ROW;
    }

    private static final long NEVER_SET_LENGTH = 16_777_216;

    /** What was read. */
    public record Captured(Long lastInsertId, Long foundRows, Map<String, UserValue> userVariables) {
    }

    /** Reads the answer: the column definitions and the single text row. */
    public Captured parse(List<ColumnDefinition> columns, byte[][] row) {
        int expected = (lastInsertId ? 1 : 0) + (foundRows ? 1 : 0) + COLUMNS_PER_VARIABLE * userVariables.size();
        if (columns.size() != expected || row.length != expected) {
            throw new IllegalArgumentException("capture answered " + columns.size() + " columns, expected " + expected);
        }
        int i = 0;
        Long id = null;
        Long found = null;
        if (lastInsertId) {
            id = Long.parseUnsignedLong(ColumnDefinition.ascii(row[i++]));
        }
        if (foundRows) {
            found = Long.parseLong(ColumnDefinition.ascii(row[i++]));
        }
        Map<String, UserValue> values = new LinkedHashMap<>();
        for (String name : userVariables) {
            if (!neverSet(columns.get(i), row[i])) {
                values.put(name, value(columns.get(i), row[i], row[i + 1], row[i + 2], row[i + 3]));
            }
            i += COLUMNS_PER_VARIABLE;
        }
        return new Captured(id, found, values);
    }

    /**
     * A variable that was never assigned (a statement that named it failed first) reads as a NULL LONGBLOB one
     * byte longer than any assigned NULL: MariaDB 10.11 answers 16777216, and 16777215 for {@code SET @v = NULL}.
     * Such a variable is no state: on any other backend it reads the same without being set.
     */
    private static boolean neverSet(ColumnDefinition column, byte[] value) {
        return value == null && column.type() == ColumnDefinition.MYSQL_TYPE_LONG_BLOB && column.length() == NEVER_SET_LENGTH;
    }

    private static UserValue value(ColumnDefinition column, byte[] value, byte[] charset, byte[] collation, byte[] hex) {
        String text = value == null ? null : ColumnDefinition.ascii(value);
        return switch (column.type()) {
            case ColumnDefinition.MYSQL_TYPE_LONGLONG -> new UserValue((column.flags() & ColumnDefinition.UNSIGNED_FLAG) != 0
                    ? UserValue.Type.UNSIGNED : UserValue.Type.SIGNED, text, null, "binary", "binary", 0);
            case ColumnDefinition.MYSQL_TYPE_NEWDECIMAL -> new UserValue(UserValue.Type.DECIMAL, text, null, "binary", "binary",
                    text == null || text.indexOf('.') < 0 ? 0 : text.length() - text.indexOf('.') - 1);
            case ColumnDefinition.MYSQL_TYPE_DOUBLE -> new UserValue(UserValue.Type.DOUBLE, text, null, "binary", "binary", 0);
            default -> new UserValue(UserValue.Type.STRING, null, hex == null ? null : HexFormat.of().parseHex(ColumnDefinition.ascii(hex)),
                    ColumnDefinition.ascii(charset), ColumnDefinition.ascii(collation), 0);
        };
    }

}
