package io.sluice.session;

import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The value of one user variable as the server holds it, read back from the backend that set it, so that it
 * can be set again, identical, on another backend: its type (a user variable is an integer, signed or
 * unsigned, a decimal with its scale, a double, or a string of a character set and collation, binary
 * included), and its value exactly (the digits the server printed, the string's bytes).
 *
 * @param type      what kind of value the variable holds
 * @param text      the value as the server printed it (numbers), or null for NULL and for strings
 * @param bytes     the string's bytes in its own character set (strings), or null
 * @param charset   the string's character set ({@code binary} for binary strings and numbers)
 * @param collation the string's collation
 * @param scale     a decimal's scale (digits after the point), as the server declared it
 */
public record UserValue(Type type, String text, byte[] bytes, String charset, String collation, int scale) {

    /** The kinds of value a user variable can hold. */
    public enum Type { SIGNED, UNSIGNED, DECIMAL, DOUBLE, STRING }

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,20}");
    private static final Pattern DECIMAL_TEXT = Pattern.compile("-?[0-9]{1,65}(\\.[0-9]{1,38})?");
    private static final Pattern DOUBLE_TEXT = Pattern.compile("-?[0-9]+(\\.[0-9]+)?(e[-+]?[0-9]{1,3})?", Pattern.CASE_INSENSITIVE);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");

    public UserValue {
        // What the server sent is checked before it is ever written into a statement: only digits where digits belong.
        switch (type) {
            case SIGNED, UNSIGNED -> require(text == null || INTEGER.matcher(text).matches(), "integer", text);
            case DECIMAL -> require(text == null || DECIMAL_TEXT.matcher(text).matches(), "decimal", text);
            case DOUBLE -> require(text == null || DOUBLE_TEXT.matcher(text).matches(), "double", text);
            case STRING -> require(charset != null && NAME.matcher(charset).matches()
                    && collation != null && NAME.matcher(collation).matches(), "character set", charset + "/" + collation);
        }
    }

    private static void require(boolean ok, String what, String value) {
        if (!ok) {
            throw new IllegalArgumentException("not a user variable's " + what + ": " + value);
        }
    }

    public boolean isNull() {
        return type == Type.STRING ? bytes == null : text == null;
    }

    /**
     * Whether {@link #toSql()} sets this value again. A string's bytes may be invalid in its own character set (a
     * prepared statement's parameter sent as bytes into a utf8mb4 variable, say): the server keeps them as they
     * came, but refuses them in a literal (ERR 1300). Such a value cannot move to another backend; neither can a
     * string of a multi-byte character set whose encoding Sluice does not check.
     */
    public boolean replayable() {
        if (type != Type.STRING || bytes == null) {
            return true;
        }
        return switch (charset) {
            case "binary", "latin1" -> true;
            case "ascii" -> allBelow(bytes, 0x80);
            case "utf8mb4" -> validUtf8(bytes, 4);
            case "utf8mb3", "utf8" -> validUtf8(bytes, 3);
            default -> false;
        };
    }

    private static boolean allBelow(byte[] b, int limit) {
        for (byte x : b) {
            if ((x & 0xff) >= limit) {
                return false;
            }
        }
        return true;
    }

    /** Well-formed UTF-8 of at most {@code maxBytes} bytes per character, as MariaDB and MySQL accept it. */
    private static boolean validUtf8(byte[] b, int maxBytes) {
        java.nio.charset.CharsetDecoder decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        try {
            decoder.decode(java.nio.ByteBuffer.wrap(b));
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
        if (maxBytes == 3) {
            for (byte x : b) {
                if ((x & 0xf8) == 0xf0) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The value as an SQL expression that gives a user variable this exact value and type, whatever the
     * session's character set, sql_mode or escaping rules: numbers through CAST (a bare literal past
     * 2^63 would be a decimal), strings as hexadecimal bytes with their character set and collation.
     */
    public String toSql() {
        return switch (type) {
            case SIGNED -> text == null ? "CAST(NULL AS SIGNED)" : "CAST(" + text + " AS SIGNED)";
            case UNSIGNED -> text == null ? "CAST(NULL AS UNSIGNED)" : "CAST(" + text + " AS UNSIGNED)";
            // The literal's digits carry the scale (1.50 is a decimal of scale 2); without a point it would be an
            // integer, so a decimal of scale 0 (what UNSIGNED + 1 makes) is cast.
            case DECIMAL -> text == null ? "CAST(NULL AS DECIMAL(65," + Math.min(scale, 30) + "))"
                    : text.indexOf('.') < 0 ? "CAST(" + text + " AS DECIMAL(65,0))" : text;
            // The server prints a double with enough digits to read it back to the same bits.
            case DOUBLE -> text == null ? "CAST(NULL AS DOUBLE)" : text.toLowerCase(Locale.ROOT).contains("e") ? text : text + "e0";
            case STRING -> {
                if (bytes == null) {
                    // Typed even when binary: a bare NULL keeps the type a variable already has on the backend (another
                    // client's string, say), where the client's own variable is a binary NULL.
                    yield charset.equals("binary") ? "CAST(NULL AS BINARY)" : "CAST(NULL AS CHAR CHARACTER SET " + charset + ") COLLATE " + collation;
                }
                // A binary string has no collation to name (COLLATE binary is refused after _binary).
                yield "_" + charset + " X'" + HexFormat.of().formatHex(bytes) + "'" + (charset.equals("binary") ? "" : " COLLATE " + collation);
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserValue v && v.type == type && java.util.Objects.equals(v.text, text)
                && java.util.Arrays.equals(v.bytes, bytes) && java.util.Objects.equals(v.charset, charset)
                && java.util.Objects.equals(v.collation, collation) && v.scale == scale;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(type, text, java.util.Arrays.hashCode(bytes), charset, collation, scale);
    }

    @Override
    public String toString() {
        return type + ":" + (bytes != null ? HexFormat.of().formatHex(bytes) + "/" + collation : text);
    }
}
