package io.sluice.observe;

/**
 * Text a client chose (a user name, a schema), made safe to write into a log line: anyone who can reach the port
 * chooses it before authenticating. Line breaks and other control characters could forge log lines or hide the real
 * ones, bidirectional overrides could make a line read other than it is, and a name of 16 KiB would flood the log.
 * So control characters (C0, DEL, C1, the Unicode line and paragraph separators, bidi controls) are written as
 * {@code \xNN} or {@code \}{@code uNNNN}, a backslash as two, and what is longer than {@link #MAX_CHARS} is cut.
 */
public final class LogText {
    /** More than any MySQL or MariaDB user name (32 and 80 characters) or schema name (64). */
    public static final int MAX_CHARS = 128;

    private LogText() {
    }

    public static String of(String clientText) {
        if (clientText == null) {
            return "null";
        }
        int shown = Math.min(clientText.length(), MAX_CHARS);
        StringBuilder out = new StringBuilder(shown + 16);
        for (int i = 0; i < shown; i++) {
            char c = clientText.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
                out.append(String.format("\\x%02x", (int) c));
            } else if (c == '\u2028' || c == '\u2029' || c == '\u200e' || c == '\u200f' || (c >= '\u202a' && c <= '\u202e')
                    || (c >= '\u2066' && c <= '\u2069') || c == '\u061c' || c == '\ufeff') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (clientText.length() > shown) {
            out.append("...(").append(clientText.length() - shown).append(" more characters)");
        }
        return out.toString();
    }
}
