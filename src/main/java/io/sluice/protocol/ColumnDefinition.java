package io.sluice.protocol;

/**
 * Protocol::ColumnDefinition41, the fields Sluice reads: the column's name, the character set (collation id)
 * its values are sent in, its length, type, flags and decimals. Used for answers to Sluice's own queries.
 *
 * @param name        the column's name (its label)
 * @param collationId the collation its values are sent in (63 for binary)
 * @param length      the column's declared length in bytes
 * @param type        the MYSQL_TYPE_* of the column
 * @param flags       column flags ({@link #UNSIGNED_FLAG}, ...)
 * @param decimals    digits after the decimal point (31 for a floating-point value of no fixed scale)
 */
public record ColumnDefinition(String name, int collationId, long length, int type, int flags, int decimals) {
    public static final int MYSQL_TYPE_DOUBLE = 0x05;
    public static final int MYSQL_TYPE_LONGLONG = 0x08;
    public static final int MYSQL_TYPE_NEWDECIMAL = 0xf6;
    public static final int MYSQL_TYPE_LONG_BLOB = 0xfb;
    public static final int UNSIGNED_FLAG = 0x0020;
    /** Rows of a text result set write NULL as this byte instead of a length. */
    public static final int NULL_VALUE = 0xfb;

    public static ColumnDefinition decode(byte[] payload) {
        PayloadReader r = new PayloadReader(payload);
        r.readLenencBytes(); // catalog, "def"
        r.readLenencBytes(); // schema
        r.readLenencBytes(); // table
        r.readLenencBytes(); // original table
        String name = r.readLenencString();
        r.readLenencBytes(); // original name
        r.readLenenc(); // length of the fixed fields, 0x0c
        int collation = r.readInt2();
        long length = r.readInt4();
        int type = r.readInt1();
        int flags = r.readInt2();
        int decimals = r.readInt1();
        return new ColumnDefinition(name, collation, length, type, flags, decimals);
    }

    /**
     * Digits, names and hex digits as a session's result character set sent them: ASCII, or, in a UCS-2, UTF-16
     * or UTF-32 result, each character padded with zero bytes, which are dropped.
     */
    public static String ascii(byte[] value) {
        StringBuilder out = new StringBuilder(value.length);
        for (byte b : value) {
            if (b != 0) {
                out.append((char) (b & 0x7f));
            }
        }
        return out.toString();
    }

    /** The values of one text-protocol row of {@code columns} columns, each null for SQL NULL. */
    public static byte[][] textRow(byte[] payload, int columns) {
        PayloadReader r = new PayloadReader(payload);
        byte[][] values = new byte[columns][];
        for (int i = 0; i < columns; i++) {
            if (r.peek() == NULL_VALUE) {
                r.skip(1);
            } else {
                values[i] = r.readLenencBytes();
            }
        }
        return values;
    }
}
