package io.sluice.protocol;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/**
 * Test helper: turns hex dumps as the protocol documentation prints them ("0a 35 2e 35 ...", spread over
 * several lines) into bytes. Whitespace and '|' (the documentation's packet separator) are ignored; every
 * byte must be written as exactly two hex digits.
 */
public final class Hex {
    private Hex() {
    }

    public static byte[] bytes(String dump) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] tokens = dump.trim().split("[\\s|]+");
        for (String token : tokens) {
            if (token.isEmpty()) {
                continue;
            }
            if (token.length() != 2) {
                throw new IllegalArgumentException("not a two-digit hex byte: '" + token + "'");
            }
            out.write(Integer.parseInt(token, 16));
        }
        return out.toByteArray();
    }

    /** Several dumps (for example one per packet) joined into one array. */
    public static byte[] bytes(String... dumps) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String dump : dumps) {
            out.writeBytes(bytes(dump));
        }
        return out.toByteArray();
    }

    /** Lower-case, space-separated, for readable assertion messages. */
    public static String dump(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
