package io.sluice.fuzz;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.HexFormat;

/** A decoded value as comparable text: records component by component, byte arrays by content. */
final class Described {
    private Described() {
    }

    static String of(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof byte[] bytes) {
            // Up to 16 MiB in some runs: long ones by length and hash.
            return bytes.length <= 256 ? "[" + HexFormat.of().formatHex(bytes) + "]" : "[" + bytes.length + " bytes, hash " + Arrays.hashCode(bytes) + "]";
        }
        if (value.getClass().isRecord()) {
            StringBuilder out = new StringBuilder(value.getClass().getSimpleName()).append('(');
            for (RecordComponent c : value.getClass().getRecordComponents()) {
                try {
                    out.append(c.getName()).append('=').append(of(c.getAccessor().invoke(value))).append(' ');
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return out.append(')').toString();
        }
        if (value instanceof Object[] array) {
            return Arrays.deepToString(array);
        }
        return value.toString();
    }
}
