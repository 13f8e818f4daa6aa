package io.sluice.testing.mysql8;

import io.sluice.protocol.MalformedPacketException;
import io.sluice.protocol.PayloadReader;

/**
 * How long one value of the binary protocol is, by its column type (the low byte of the two type bytes a
 * client sends; the high byte only carries the unsigned flag). Needed to find where one parameter or query
 * attribute ends and the next begins.
 */
final class BinaryValue {
    static final int MYSQL_TYPE_DECIMAL = 0;
    static final int MYSQL_TYPE_TINY = 1;
    static final int MYSQL_TYPE_SHORT = 2;
    static final int MYSQL_TYPE_LONG = 3;
    static final int MYSQL_TYPE_FLOAT = 4;
    static final int MYSQL_TYPE_DOUBLE = 5;
    static final int MYSQL_TYPE_NULL = 6;
    static final int MYSQL_TYPE_TIMESTAMP = 7;
    static final int MYSQL_TYPE_LONGLONG = 8;
    static final int MYSQL_TYPE_INT24 = 9;
    static final int MYSQL_TYPE_DATE = 10;
    static final int MYSQL_TYPE_TIME = 11;
    static final int MYSQL_TYPE_DATETIME = 12;
    static final int MYSQL_TYPE_YEAR = 13;
    static final int MYSQL_TYPE_NEWDATE = 14;
    static final int MYSQL_TYPE_VARCHAR = 15;
    static final int MYSQL_TYPE_BIT = 16;
    static final int MYSQL_TYPE_TIMESTAMP2 = 17;
    static final int MYSQL_TYPE_DATETIME2 = 18;
    static final int MYSQL_TYPE_TIME2 = 19;
    static final int MYSQL_TYPE_VECTOR = 242;
    static final int MYSQL_TYPE_BOOL = 244;
    static final int MYSQL_TYPE_JSON = 245;
    static final int MYSQL_TYPE_NEWDECIMAL = 246;
    static final int MYSQL_TYPE_ENUM = 247;
    static final int MYSQL_TYPE_SET = 248;
    static final int MYSQL_TYPE_TINY_BLOB = 249;
    static final int MYSQL_TYPE_MEDIUM_BLOB = 250;
    static final int MYSQL_TYPE_LONG_BLOB = 251;
    static final int MYSQL_TYPE_BLOB = 252;
    static final int MYSQL_TYPE_VAR_STRING = 253;
    static final int MYSQL_TYPE_STRING = 254;
    static final int MYSQL_TYPE_GEOMETRY = 255;

    private BinaryValue() {
    }

    /** Skips one value of {@code type}; MalformedPacketException for a type no MySQL client sends. */
    static void skip(PayloadReader r, int type) {
        switch (type & 0xff) {
            case MYSQL_TYPE_NULL -> {
            }
            case MYSQL_TYPE_TINY, MYSQL_TYPE_BOOL -> r.skip(1);
            case MYSQL_TYPE_SHORT, MYSQL_TYPE_YEAR -> r.skip(2);
            case MYSQL_TYPE_LONG, MYSQL_TYPE_INT24, MYSQL_TYPE_FLOAT -> r.skip(4);
            case MYSQL_TYPE_DOUBLE, MYSQL_TYPE_LONGLONG -> r.skip(8);
            // Temporal values carry their own length (0, 4, 7, 8, 11, 12 or 13 bytes) in a leading byte.
            case MYSQL_TYPE_DATE, MYSQL_TYPE_TIME, MYSQL_TYPE_DATETIME, MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_NEWDATE,
                    MYSQL_TYPE_TIMESTAMP2, MYSQL_TYPE_DATETIME2, MYSQL_TYPE_TIME2 -> r.skip(r.readInt1());
            case MYSQL_TYPE_DECIMAL, MYSQL_TYPE_VARCHAR, MYSQL_TYPE_BIT, MYSQL_TYPE_VECTOR, MYSQL_TYPE_JSON,
                    MYSQL_TYPE_NEWDECIMAL, MYSQL_TYPE_ENUM, MYSQL_TYPE_SET, MYSQL_TYPE_TINY_BLOB, MYSQL_TYPE_MEDIUM_BLOB,
                    MYSQL_TYPE_LONG_BLOB, MYSQL_TYPE_BLOB, MYSQL_TYPE_VAR_STRING, MYSQL_TYPE_STRING, MYSQL_TYPE_GEOMETRY -> r.readLenencBytes();
            default -> throw new MalformedPacketException("no binary value of type " + (type & 0xff));
        }
    }
}
