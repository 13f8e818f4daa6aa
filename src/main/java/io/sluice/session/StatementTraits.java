package io.sluice.session;

import java.util.EnumSet;
import java.util.Locale;

/**
 * What a COM_QUERY's SQL does that matters to multiplexing, found in one pass over its bytes without parsing
 * the statement: string literals, quoted identifiers and comments are skipped (MySQL's executable comments
 * {@code /*! ... *}{@code /} are read as code). It looks for the session state the server does not report
 * through session tracking (named locks, {@code SELECT ... INTO @v}, SQL_CALC_FOUND_ROWS), for functions
 * whose answer depends on the connection (LAST_INSERT_ID(), ROW_COUNT(), CONNECTION_ID()), and for KILL
 * statements, which must never reach a pooled backend.
 *
 * <p>Client input, so linear in its length whatever it holds: each byte is looked at a bounded number of times
 * (a string literal of a PREPARE or a compound statement twice, once as the literal and once as the SQL it holds),
 * no regular expression, and no word longer than any keyword is copied.
 */
public final class StatementTraits {
    /** Longer than every keyword the scanner looks for: longer words are skipped without being copied. */
    private static final int LONGEST_KEYWORD = 32;
    /** Words that begin the statements of a compound statement (BEGIN ... END, IF, loops, handlers). */
    private static final java.util.Set<String> COMPOUND_STARTS = java.util.Set.of(
            "begin", "if", "elseif", "else", "case", "when", "then", "loop", "repeat", "while", "for", "declare", "do");
    /** What CREATE or ALTER makes when its body is a statement of its own. */
    private static final java.util.Set<String> STORED_PROGRAMS = java.util.Set.of("procedure", "function", "trigger", "event");

    private final EnumSet<PinReason> pins = EnumSet.noneOf(PinReason.class);
    private boolean lastInsertId;
    private boolean kills;

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

    /**
     * Whether the text holds a KILL statement anywhere a statement can start: first in the text or after a
     * {@code ;} (comments and executable comments read as the server reads them), inside a compound statement or
     * a stored program's body, or in the string a PREPARE or EXECUTE IMMEDIATE runs. Relayed, a KILL would stop
     * whichever client's statement runs on the backend it names. Errs on the side of yes: a column called
     * {@code kill} inside a compound statement counts too.
     */
    public boolean kills() {
        return kills;
    }

    /**
     * How the session reads string literals, which decides where they end.
     *
     * @param noBackslashEscapes sql_mode NO_BACKSLASH_ESCAPES: a backslash in a string is just a character
     * @param ansiQuotes         sql_mode ANSI_QUOTES: "..." is an identifier, where a backslash escapes nothing
     * @param doubleByteCharset  the client's character set is Shift_JIS, CP932, Big5, GBK or GB18030, whose
     *                           second byte of a character may be 0x5c without being a backslash
     */
    public record Dialect(boolean noBackslashEscapes, boolean ansiQuotes, boolean doubleByteCharset) {
        public static final Dialect DEFAULT = new Dialect(false, false, false);

        private static final java.util.Set<String> DOUBLE_BYTE = java.util.Set.of("sjis", "cp932", "big5", "gbk", "gb18030");

        /** The dialect of a session from its sql_mode and client character set, as the server reports them. */
        public static Dialect of(String sqlMode, String characterSetClient, boolean noBackslashEscapesFlag) {
            String mode = sqlMode == null ? "" : sqlMode.toUpperCase(Locale.ROOT);
            boolean doubleByte = characterSetClient != null && DOUBLE_BYTE.contains(characterSetClient.toLowerCase(Locale.ROOT));
            return new Dialect(noBackslashEscapesFlag || mode.contains("NO_BACKSLASH_ESCAPES"), mode.contains("ANSI_QUOTES"), doubleByte);
        }
    }

    public static StatementTraits of(byte[] sql, int offset, int length) {
        return of(sql, offset, length, Dialect.DEFAULT);
    }

    public static StatementTraits of(byte[] sql, int offset, int length, Dialect dialect) {
        StatementTraits t = new StatementTraits();
        new Scanner(sql, offset, offset + length, t, dialect, true).run();
        return t;
    }

    public static StatementTraits of(String sql) {
        return of(sql, Dialect.DEFAULT);
    }

    public static StatementTraits of(String sql, Dialect dialect) {
        byte[] b = sql.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return of(b, 0, b.length, dialect);
    }

    private static final class Scanner {
        private final byte[] s;
        private final int start;
        private final int end;
        private final StatementTraits out;
        private final Dialect dialect;
        /** Whether string literals that may hold SQL (of PREPARE, EXECUTE IMMEDIATE) are read as SQL too. */
        private final boolean readsNestedSql;
        private int i;
        /** Words seen since the start of the current statement (the first two are all that matter). */
        private int wordIndex;
        private String firstWord = "";
        private String previousWord = "";
        private String secondWord = "";
        /** The current statement is, or defines, a compound statement: any of its words may begin a statement. */
        private boolean compound;

        Scanner(byte[] s, int from, int end, StatementTraits out, Dialect dialect, boolean readsNestedSql) {
            this.s = s;
            this.start = from;
            this.i = from;
            this.end = end;
            this.out = out;
            this.dialect = dialect;
            this.readsNestedSql = readsNestedSql;
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
                    secondWord = "";
                    previousWord = "";
                    compound = false;
                    i++;
                } else if (c == ':' && wordIndex == 1 && at(i + 1) != '=') {
                    // "label: BEGIN ...", "label: LOOP ...": only compound statements have labels.
                    compound = true;
                    i++;
                } else if (isWordChar(c)) {
                    word();
                } else {
                    i++;
                }
            }
        }

        private void word() {
            int start = i;
            while (i < end && isWordChar(s[i] & 0xff)) {
                i++;
            }
            String w = i - start > LONGEST_KEYWORD ? ""
                    : new String(s, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            boolean call = nextNonSpace() == '(';
            if (w.equals("kill") && (wordIndex == 0 || compound)) {
                out.kills = true;
            }
            if (wordIndex == 0 && COMPOUND_STARTS.contains(w)
                    || (firstWord.equals("create") || firstWord.equals("alter")) && STORED_PROGRAMS.contains(w)) {
                compound = true;
            }
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
                secondWord = w;
                if (firstWord.equals("lock") && (w.equals("tables") || w.equals("table") || w.equals("instance"))
                        || firstWord.equals("backup") && w.equals("lock")) {
                    out.pins.add(PinReason.LOCK_TABLES);
                }
            }
            // CREATE [OR REPLACE] TEMPORARY TABLE (and not a table that happens to be named "temporary").
            if (firstWord.equals("create") && w.equals("temporary") && (previousWord.equals("create") || previousWord.equals("replace"))) {
                out.pins.add(PinReason.TEMPORARY_TABLE);
            }
            // FLUSH TABLES ... WITH READ LOCK, FLUSH TABLES ... FOR EXPORT: table locks held until UNLOCK TABLES.
            if (firstWord.equals("flush") && (w.equals("lock") && previousWord.equals("read") || w.equals("export") && previousWord.equals("for"))) {
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
         * '@' starts a user variable unless it is part of '@@' (a system variable) or joins a quoted user and host
         * ('app'@'%'). Glued to a word it is still a variable ({@code SELECT 1 INTO@x}); an unquoted
         * {@code u@localhost} in account management then pins needlessly, which costs nothing that matters.
         */
        private void userVariable() {
            if (at(i + 1) == '@') {
                i += 2;
                int start = i;
                while (i < end && (isWordChar(s[i] & 0xff) || s[i] == '.')) {
                    i++;
                }
                String name = i - start > LONGEST_KEYWORD ? ""
                        : new String(s, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
                if (name.endsWith("identity") || name.endsWith("last_insert_id")) {
                    out.lastInsertId = true;
                }
                return;
            }
            boolean joinsUserAndHost = i > start && (s[i - 1] == '\'' || s[i - 1] == '"' || s[i - 1] == '`'
                    || isWordChar(s[i - 1] & 0xff) && namesAccounts());
            if (!joinsUserAndHost) {
                out.pins.add(PinReason.USER_VARIABLE);
            }
            i++;
        }

        /** Account management, where name@host is an account: GRANT, REVOKE, SHOW GRANTS, CREATE/ALTER/DROP/RENAME USER. */
        private boolean namesAccounts() {
            return switch (firstWord) {
                case "grant", "revoke", "show" -> true;
                case "create", "alter", "drop", "rename" -> secondWord.equals("user") || secondWord.equals("role");
                case "set" -> secondWord.equals("password") || secondWord.equals("default");
                default -> false;
            };
        }

        private void skipQuoted(int quote) {
            boolean escapes = quote != '`' && !dialect.noBackslashEscapes() && !(quote == '"' && dialect.ansiQuotes());
            boolean string = quote == '\'' || quote == '"' && !dialect.ansiQuotes();
            int contents = ++i;
            boolean closed = skipQuotedFrom(quote, escapes);
            if (string && readsNestedSql && !out.kills && (previousWord.equals("from") || previousWord.equals("immediate"))
                    && (compound || firstWord.equals("prepare") || firstWord.equals("execute"))) {
                // PREPARE s FROM '...', EXECUTE IMMEDIATE '...': the literal is a statement the server will run.
                StatementTraits nested = new StatementTraits();
                new Scanner(s, contents, closed ? i - 1 : end, nested, dialect, false).run();
                out.kills = nested.kills;
            }
        }

        /** Moves past the closing quote; false when the text ends first. */
        private boolean skipQuotedFrom(int quote, boolean escapes) {
            while (i < end) {
                int c = s[i] & 0xff;
                if (dialect.doubleByteCharset() && c >= 0x81 && c <= 0xfe) {
                    // A lead byte: the next byte belongs to the same character, even if it is 0x5c.
                    i += 2;
                } else if (c == '\\' && escapes) {
                    i += 2;
                } else if (c == quote) {
                    if (at(i + 1) == quote) {
                        i += 2;
                    } else {
                        i++;
                        return true;
                    }
                } else {
                    i++;
                }
            }
            return false;
        }

        private void blockComment() {
            if (at(i + 2) == '!' || at(i + 2) == 'M' && at(i + 3) == '!') {
                // Executable comment: its contents run as SQL, so keep scanning them, after the version number.
                i += at(i + 2) == '!' ? 3 : 4;
                while (i < end && at(i) >= '0' && at(i) <= '9') {
                    i++;
                }
                return;
            }
            int close = i + 2;
            while (close + 1 < end && !(s[close] == '*' && s[close + 1] == '/')) {
                close++;
            }
            i = Math.min(end, close + 2);
        }

        /** The next character that is neither white space nor inside a comment: what follows a name. */
        private int nextNonSpace() {
            int j = i;
            while (j < end) {
                if (isSpace(s[j] & 0xff)) {
                    j++;
                } else if (s[j] == '/' && at(j + 1) == '*' && at(j + 2) != '!') {
                    int close = j + 2;
                    while (close + 1 < end && !(s[close] == '*' && s[close + 1] == '/')) {
                        close++;
                    }
                    j = close + 2;
                } else {
                    break;
                }
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
