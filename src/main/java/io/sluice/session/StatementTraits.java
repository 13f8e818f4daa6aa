package io.sluice.session;

import java.util.EnumSet;
import java.util.Locale;

/**
 * What a COM_QUERY's SQL does that matters to multiplexing, found in one pass over its bytes without parsing
 * the statement: string literals, quoted identifiers and comments are skipped (MySQL's executable comments
 * {@code /*! ... *}{@code /} are read as code). It looks for the session state the server does not report
 * through session tracking (named locks, {@code SELECT ... INTO @v}, SQL_CALC_FOUND_ROWS) and for functions
 * whose answer depends on the connection (LAST_INSERT_ID(), ROW_COUNT(), CONNECTION_ID()).
 */
public final class StatementTraits {
    private final EnumSet<PinReason> pins = EnumSet.noneOf(PinReason.class);
    private boolean lastInsertId;

    private StatementTraits() {
    }

    /** Session state the statement creates that cannot move to another connection. */
    public EnumSet<PinReason> pins() {
        return pins;
    }

    /** Whether the statement reads LAST_INSERT_ID() (or @@identity / @@last_insert_id). */
    public boolean readsLastInsertId() {
        return lastInsertId;
    }

    public static StatementTraits of(byte[] sql, int offset, int length) {
        StatementTraits t = new StatementTraits();
        new Scanner(sql, offset, offset + length, t).run();
        return t;
    }

    public static StatementTraits of(String sql) {
        byte[] b = sql.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return of(b, 0, b.length);
    }

    private static final class Scanner {
        private final byte[] s;
        private final int end;
        private final StatementTraits out;
        private int i;
        /** Words seen since the start of the current statement (the first two are all that matter). */
        private int wordIndex;
        private String firstWord = "";
        private String previousWord = "";

        Scanner(byte[] s, int from, int end, StatementTraits out) {
            this.s = s;
            this.i = from;
            this.end = end;
            this.out = out;
        }

        void run() {
            while (i < end) {
                int c = s[i] & 0xff;
                if (c == '\'' || c == '"' || c == '`') {
                    skipQuoted(c);
                } else if (c == '#' || c == '-' && at(i + 1) == '-' && (i + 2 >= end || isSpace(at(i + 2)))) {
                    while (i < end && s[i] != '\n') {
                        i++;
                    }
                } else if (c == '/' && at(i + 1) == '*') {
                    blockComment();
                } else if (c == '@') {
                    userVariable();
                } else if (c == ';') {
                    wordIndex = 0;
                    firstWord = "";
                    previousWord = "";
                    i++;
                } else if (isWordChar(c)) {
                    word();
                } else {
                    if (!isSpace(c)) {
                        }
                    i++;
                }
            }
        }

        private void word() {
            int start = i;
            while (i < end && isWordChar(s[i] & 0xff)) {
                i++;
            }
            String w = new String(s, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            boolean call = nextNonSpace() == '(';
            if (wordIndex == 0) {
                firstWord = w;
                switch (w) {
                    case "prepare" -> out.pins.add(PinReason.TEXT_PREPARED_STATEMENT);
                    case "xa" -> out.pins.add(PinReason.XA_TRANSACTION);
                    case "handler" -> out.pins.add(PinReason.HANDLER);
                    default -> {
                    }
                }
            } else if (wordIndex == 1) {
                if (firstWord.equals("create") && w.equals("temporary")) {
                    out.pins.add(PinReason.TEMPORARY_TABLE);
                } else if (firstWord.equals("lock") && (w.equals("tables") || w.equals("table"))) {
                    out.pins.add(PinReason.LOCK_TABLES);
                }
            }
            if (firstWord.equals("flush") && w.equals("lock") && previousWord.equals("read")) {
                out.pins.add(PinReason.LOCK_TABLES);
            }
            switch (w) {
                case "get_lock" -> {
                    if (call) {
                        out.pins.add(PinReason.NAMED_LOCK);
                    }
                }
                case "sql_calc_found_rows" -> out.pins.add(PinReason.FOUND_ROWS);
                case "found_rows" -> {
                    if (call) {
                        out.pins.add(PinReason.FOUND_ROWS);
                    }
                }
                case "row_count" -> {
                    if (call) {
                        out.pins.add(PinReason.ROW_COUNT);
                    }
                }
                case "connection_id" -> {
                    if (call) {
                        out.pins.add(PinReason.CONNECTION_ID);
                    }
                }
                case "last_insert_id" -> out.lastInsertId = true;
                default -> {
                }
            }
            previousWord = w;
            wordIndex++;
        }

        /**
         * '@' starts a user variable unless it is part of '@@' (a system variable) or joins a user and host
         * ('app'@'%'), which follows a quote or a name directly.
         */
        private void userVariable() {
            if (at(i + 1) == '@') {
                i += 2;
                int start = i;
                while (i < end && (isWordChar(s[i] & 0xff) || s[i] == '.')) {
                    i++;
                }
                String name = new String(s, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
                if (name.endsWith("identity") || name.endsWith("last_insert_id")) {
                    out.lastInsertId = true;
                }
                    return;
            }
            boolean joinsUserAndHost = i > 0 && (isWordChar(s[i - 1] & 0xff) || s[i - 1] == '\'' || s[i - 1] == '"' || s[i - 1] == '`');
            if (!joinsUserAndHost) {
                out.pins.add(PinReason.USER_VARIABLE);
            }
            i++;
        }

        private void skipQuoted(int quote) {
            i++;
            while (i < end) {
                int c = s[i] & 0xff;
                if (c == '\\' && quote != '`') {
                    i += 2;
                } else if (c == quote) {
                    if (at(i + 1) == quote) {
                        i += 2;
                    } else {
                        i++;
                        return;
                    }
                } else {
                    i++;
                }
            }
        }

        private void blockComment() {
            if (at(i + 2) == '!' || at(i + 2) == 'M' && at(i + 3) == '!') {
                // Executable comment: its contents run as SQL, so keep scanning them (the version number is just a word).
                i += at(i + 2) == '!' ? 3 : 4;
                return;
            }
            int close = i + 2;
            while (close + 1 < end && !(s[close] == '*' && s[close + 1] == '/')) {
                close++;
            }
            i = Math.min(end, close + 2);
        }

        private int nextNonSpace() {
            int j = i;
            while (j < end && isSpace(s[j] & 0xff)) {
                j++;
            }
            return j < end ? s[j] & 0xff : -1;
        }

        private int at(int j) {
            return j < end ? s[j] & 0xff : -1;
        }

        private static boolean isSpace(int c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
        }

        private static boolean isWordChar(int c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80;
        }
    }
}
