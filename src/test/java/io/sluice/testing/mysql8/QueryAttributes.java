package io.sluice.testing.mysql8;

import io.sluice.protocol.CommandType;
import io.sluice.protocol.MalformedPacketException;
import io.sluice.protocol.PayloadReader;
import io.sluice.protocol.PayloadWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the commands whose format CLIENT_QUERY_ATTRIBUTES changes (COM_QUERY and COM_STMT_EXECUTE, as MySQL 8.0.26+
 * parses them) and writes them the way MariaDB, which knows no query attributes, reads them.
 */
final class QueryAttributes {
    /** COM_STMT_EXECUTE flag: a parameter_count follows the iteration count. */
    static final int PARAMETER_COUNT_AVAILABLE = 0x08;

    private QueryAttributes() {
    }

    /** A COM_QUERY without its attributes: where the SQL text starts in the payload, and the attributes' names. */
    record Query(int sqlOffset, List<String> attributeNames) {
    }

    /** A COM_STMT_EXECUTE in MariaDB's format, and the attributes' names it no longer carries. */
    record Execute(byte[] payload, List<String> attributeNames) {
    }

    /**
     * {@code 0x03, parameter_count, parameter_set_count (1), [null bitmap, new_params_bind_flag (1), types and
     * names, values], SQL}. MalformedPacketException for anything else, a bare {@code 03 SELECT 1} included.
     */
    static Query parseQuery(byte[] payload) {
        PayloadReader r = new PayloadReader(payload);
        r.skip(1);
        long count = r.readLenenc();
        long setCount = r.readLenenc();
        if (setCount != 1) {
            throw new MalformedPacketException("parameter_set_count " + setCount + ", MySQL accepts only 1");
        }
        List<String> names = new ArrayList<>();
        if (count > 0) {
            // Each attribute takes at least three bytes (type, empty name): a larger count cannot be true.
            if (count > r.remaining() / 3) {
                throw new MalformedPacketException("parameter_count " + count + " exceeds the packet");
            }
            int n = (int) count;
            byte[] nulls = r.readBytes((n + 7) / 8);
            if (r.readInt1() != 1) {
                throw new MalformedPacketException("query attributes without their types");
            }
            int[] types = new int[n];
            for (int i = 0; i < n; i++) {
                types[i] = r.readInt2();
                names.add(new String(r.readLenencBytes(), StandardCharsets.UTF_8));
            }
            for (int i = 0; i < n; i++) {
                if (!isNull(nulls, i)) {
                    BinaryValue.skip(r, types[i]);
                }
            }
        }
        return new Query(r.position(), names);
    }

    /**
     * {@code 0x17, stmt_id, flags, iteration_count, [parameter_count if PARAMETER_COUNT_AVAILABLE], [null bitmap,
     * new_params_bind_flag, (type, name)*, values]}: parameters first, then attributes. MariaDB gets the
     * statement's {@code statement.paramCount()} parameters, their types without names and their values.
     */
    static Execute translateExecute(byte[] payload, PreparedStatementState statement) {
        PayloadReader r = new PayloadReader(payload);
        r.skip(1);
        long statementId = r.readInt4();
        int flags = r.readInt1();
        long iterations = r.readInt4();
        int params = statement.paramCount();
        long count = params;
        if ((flags & PARAMETER_COUNT_AVAILABLE) != 0) {
            count = r.readLenenc();
        }
        if (count < params || count > params + r.remaining() / 3) {
            throw new MalformedPacketException("parameter_count " + count + " for a statement of " + params + " parameters");
        }
        PayloadWriter out = new PayloadWriter(payload.length).int1(CommandType.COM_STMT_EXECUTE).int4(statementId)
                .int1(flags & ~PARAMETER_COUNT_AVAILABLE).int4(iterations);
        List<String> names = new ArrayList<>();
        int n = (int) count;
        if (n > 0) {
            byte[] nulls = r.readBytes((n + 7) / 8);
            int bind = r.readInt1();
            int[] types;
            if (bind == 1) {
                types = new int[n];
                for (int i = 0; i < n; i++) {
                    types[i] = r.readInt2();
                    String name = new String(r.readLenencBytes(), StandardCharsets.UTF_8);
                    if (i >= params) {
                        names.add(name);
                    }
                }
                statement.bindTypes(types);
            } else if (bind == 0) {
                types = statement.types();
                if (types == null) {
                    // Never bound: every parameter is taken as NULL-typed, which holds as long as every value is
                    // NULL (Connector/J sends a first execute of setNull() parameters so, and MySQL runs it).
                    types = new int[n];
                    java.util.Arrays.fill(types, BinaryValue.MYSQL_TYPE_NULL);
                    for (int i = 0; i < n; i++) {
                        if (!isNull(nulls, i)) {
                            throw new MalformedPacketException("new_params_bind_flag 0 before any types were bound, and a value that is not NULL");
                        }
                    }
                } else if (types.length < n) {
                    throw new MalformedPacketException("new_params_bind_flag 0 with types bound for " + types.length + " of " + n + " parameters");
                }
            } else {
                throw new MalformedPacketException("new_params_bind_flag " + bind);
            }
            int valuesStart = r.position();
            int paramValuesEnd = valuesStart;
            for (int i = 0; i < n; i++) {
                // A parameter sent with COM_STMT_SEND_LONG_DATA has no value here.
                if (!isNull(nulls, i) && !(i < params && statement.hasLongData(i))) {
                    BinaryValue.skip(r, types[i]);
                }
                if (i == params - 1) {
                    paramValuesEnd = r.position();
                }
            }
            if (params > 0) {
                byte[] paramNulls = java.util.Arrays.copyOf(nulls, (params + 7) / 8);
                if (params % 8 != 0) {
                    paramNulls[paramNulls.length - 1] &= (byte) ((1 << (params % 8)) - 1);
                }
                out.bytes(paramNulls).int1(bind);
                if (bind == 1) {
                    for (int i = 0; i < params; i++) {
                        out.int2(types[i]);
                    }
                }
                out.bytes(payload, valuesStart, paramValuesEnd - valuesStart);
            }
        }
        statement.executed();
        return new Execute(out.toByteArray(), names);
    }

    private static boolean isNull(byte[] nulls, int i) {
        return (nulls[i >>> 3] & (1 << (i & 7))) != 0;
    }
}
