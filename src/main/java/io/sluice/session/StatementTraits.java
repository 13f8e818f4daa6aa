package io.sluice.session;

import java.util.EnumSet;
import java.util.Locale;

/**
 * What a COM_QUERY's SQL does that matters to multiplexing, found in one pass over its bytes without parsing
 * the statement: string literals, quoted identifiers and comments are skipped (MySQL's executable comments
 * {@code /*! ... *}{@code /} are read as code). It looks for the session state the server does not report
 * through session tracking (named locks, user variables, SQL_CALC_FOUND_ROWS), for the user variables a
 * statement may assign, for functions whose answer depends on the connection (LAST_INSERT_ID(),
 * ROW_COUNT(), FOUND_ROWS(), CONNECTION_ID()), and for KILL statements, which must never reach a pooled backend.
 *
 * <p>Client input, so linear in its length whatever it holds: each byte is looked at a bounded number of times
 * (a string literal of a PREPARE or a compound statement twice, once as the literal and once as the SQL it holds),
 * no regular expression, and no word longer than any keyword is copied.
 */
public final class StatementTraits {
    /** Longer than every keyword the scanner looks for: longer words are skipped without being copied. */
    private static final int LONGEST_KEYWORD = 32;
    /** Longer than every scoped system variable name ({@code session.} and 64 characters): longer ones are not copied. */
    private static final int LONGEST_SYSTEM_VARIABLE = 80;
    /** Words that begin the statements of a compound statement (BEGIN ... END, IF, loops, handlers). */
    private static final java.util.Set<String> COMPOUND_STARTS = java.util.Set.of(
            "begin", "if", "elseif", "else", "case", "when", "then", "loop", "repeat", "while", "for", "declare", "do");
    /** Statements that may answer with rows that are not a SELECT's, or run a procedure's statements. */
    private static final java.util.Set<String> ROWS_NOT_SELECTED = java.util.Set.of("call", "show", "explain", "describe",
            "desc", "analyze", "check", "checksum", "optimize", "repair", "values", "help", "execute", "table");
    /** What CREATE or ALTER makes when its body is a statement of its own. */
    private static final java.util.Set<String> STORED_PROGRAMS = java.util.Set.of("procedure", "function", "trigger", "event");

    private final EnumSet<PinReason> pins = EnumSet.noneOf(PinReason.class);
    private final java.util.Set<String> assignedUserVariables = new java.util.LinkedHashSet<>();
    private boolean lastInsertId;
    private boolean setsLastInsertId;
    private boolean rowCount;
    private boolean foundRows;
    private boolean calcFoundRows;
    private boolean callsProcedure;
    private boolean sessionTracking;
    private boolean uncapturableUserVariable;
    private boolean selectsInto;
    private boolean onlySelects = true;
    private boolean onlyGetDiagnostics = true;
    private boolean onlyDiagnostics = true;
    private boolean mayKeepFoundRows;
    private boolean dml;
    private boolean insertsRows;
    private boolean loadsData;
    private boolean callsFunction;
    private final java.util.Set<String> statementScopedVariables = new java.util.LinkedHashSet<>();
    private final java.util.Set<String> unscopedSystemVariables = new java.util.LinkedHashSet<>();
    private boolean kills;
    private boolean takesSavepoint;
    private boolean endsTransaction;
    private boolean runsUnseenStatements;

    private StatementTraits() {
    }

    /**
     * Session state the statement creates that cannot move to another connection. {@link PinReason#USER_VARIABLE}
     * stands for any use of a user variable: it pins only where user variables are not captured.
     */
    public EnumSet<PinReason> pins() {
        return pins;
    }

    /**
     * The user variables (lower case) the statement may assign: targets of {@code :=}, of a SET, of INTO, of
     * GET DIAGNOSTICS, and every variable passed to CALL (OUT parameters) or LOAD DATA. Reads may be among them.
     */
    public java.util.Set<String> assignedUserVariables() {
        return assignedUserVariables;
    }

    /** A user variable the statement names in a way Sluice does not write back (a name that is not plain ASCII). */
    public boolean uncapturableUserVariable() {
        return uncapturableUserVariable;
    }

    /** Whether the statement reads LAST_INSERT_ID() (or @@identity / @@last_insert_id). */
    public boolean readsLastInsertId() {
        return lastInsertId;
    }

    /** Whether the statement sets the last insert id itself with LAST_INSERT_ID(expr), which no OK packet reports. */
    public boolean setsLastInsertId() {
        return setsLastInsertId;
    }

    /** Whether the statement reads ROW_COUNT(): the row count of the statement before it. */
    public boolean readsRowCount() {
        return rowCount;
    }

    /** Whether the statement reads FOUND_ROWS(): the rows of the last SELECT before it. */
    public boolean readsFoundRows() {
        return foundRows;
    }

    /** SQL_CALC_FOUND_ROWS: FOUND_ROWS() will count rows that were never sent. */
    public boolean calcFoundRows() {
        return calcFoundRows;
    }

    /** Whether the statement calls a stored procedure, which may change any session state unseen. */
    public boolean callsProcedure() {
        return callsProcedure;
    }

    /**
     * The variables a SET STATEMENT ... FOR sets for the one statement (lower case): the server reports their
     * temporary values as changes, and puts them back afterwards without a report.
     */
    public java.util.Set<String> statementScopedVariables() {
        return statementScopedVariables;
    }

    /**
     * System variables a SET assigns in the {@code @@name} form, without SESSION or LOCAL (lower case). MariaDB's
     * session tracking does not report a change made that way, so Sluice reads them back.
     */
    public java.util.Set<String> unscopedSystemVariables() {
        return unscopedSystemVariables;
    }

    /**
     * SELECT ... INTO, or a SELECT inside another statement (INSERT ... SELECT, CREATE ... SELECT, a subquery of a
     * SET): no rows sent, yet FOUND_ROWS() changes.
     */
    public boolean selectsInto() {
        return selectsInto;
    }

    /**
     * Whether every statement in the text is a SELECT (or WITH ... SELECT), whose rows sent are what FOUND_ROWS()
     * counts next. Other statements' results do not say: SHOW WARNINGS, EXPLAIN, VALUES or CHECK TABLE leave
     * FOUND_ROWS() as it was, SHOW TABLES sets it, ANALYZE sets it to rows it never sends.
     */
    public boolean onlySelects() {
        return onlySelects;
    }

    /** Whether every statement in the text is GET DIAGNOSTICS, which leaves ROW_COUNT() as the statement before set it. */
    public boolean onlyGetDiagnostics() {
        return onlyGetDiagnostics;
    }

    /**
     * Whether the statement may leave FOUND_ROWS() as the backend had it, where Sluice cannot tell whether it did:
     * a procedure that runs no SELECT, or a result set that is not a SELECT's (EXPLAIN, VALUES, CHECK TABLE keep it;
     * SHOW TABLES sets it), or a SELECT inside another statement, which keeps it when the statement fails before the
     * SELECT ran and sometimes after (MariaDB 10.11: {@code SET @c = (SELECT nosuch)} keeps it, a subquery of several
     * rows sets it), or SQL_CALC_FOUND_ROWS, which keeps it when the SELECT is refused before it runs (no schema, an
     * unknown column: program 2216 of seed 4242). The client's own count must be on the backend before it runs.
     */
    public boolean mayKeepFoundRows() {
        return mayKeepFoundRows || selectsInto || calcFoundRows;
    }

    /**
     * Whether every statement in the text is GET DIAGNOSTICS, SHOW WARNINGS or SHOW ERRORS: they leave FOUND_ROWS()
     * as the statement before set it (SHOW COUNT(*) WARNINGS does not: it is a SELECT of one row).
     */
    public boolean onlyDiagnostics() {
        return onlyDiagnostics;
    }

    /**
     * Whether the statement may run stored code that changes session state where its text does not show it:
     * a procedure, a function (any name called like one), or triggers (INSERT, UPDATE, DELETE, REPLACE, LOAD).
     */
    public boolean mayRunStoredCode() {
        return callsProcedure || dml || callsFunction;
    }

    /**
     * Whether the statement's outcome depends on the client's last insert id being the backend's: it reads it,
     * sets it from itself (LAST_INSERT_ID(expr)), or inserts (which may leave it as it was).
     */
    public boolean needsLastInsertId() {
        // A procedure may read LAST_INSERT_ID() or leave it as it found it, and its text says nothing of it.
        return lastInsertId || insertsRows || setsLastInsertId || callsProcedure;
    }

    /** INSERT, REPLACE or LOAD: what LAST_INSERT_ID() answers may change. */
    public boolean insertsRows() {
        return insertsRows;
    }

    /** LOAD (DATA or XML): the server may ask the client for a file. */
    public boolean loadsData() {
        return loadsData;
    }

    /** INSERT, UPDATE, DELETE, REPLACE or LOAD: it may fire triggers. */
    public boolean isDml() {
        return dml;
    }

    /** Whether the statement names a session_track_* variable: Sluice's own view of the session. */
    public boolean touchesSessionTracking() {
        return sessionTracking;
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
     * Whether the last of the text's statements that take a savepoint or end a transaction is a SAVEPOINT: with
     * autocommit off, a savepoint then lives on the connection whether or not a status flag shows a transaction.
     */
    public boolean takesSavepoint() {
        return takesSavepoint;
    }

    /**
     * Whether the last of the text's statements that take a savepoint or end a transaction is a COMMIT, or a
     * ROLLBACK that is not ROLLBACK ... TO [SAVEPOINT]: the transaction ends, and its savepoints with it.
     */
    public boolean endsTransaction() {
        return endsTransaction;
    }

    /**
     * Whether "--" followed by {@code next} (-1: the end of the text) starts a comment. The server's lexer wants white
     * space or any control character after the dashes, DEL included (checked on MariaDB 10.11: {@code SELECT 1 --\x1a}
     * and {@code --\x7f} are comments). Every reader of client SQL asks this one rule: a KILL after such a comment is
     * one the server runs (QueryTextFuzzTest found {@code --\x1a hello\nKILL 7} seen by one reader only).
     */
    public static boolean dashesStartComment(int next) {
        return next < 0 || next <= ' ' || next == 0x7f;
    }

    /**
     * Whether the statement runs statements its text does not show, which may take a SAVEPOINT that outlives it:
     * CALL, a text EXECUTE or EXECUTE IMMEDIATE, or an anonymous compound statement (BEGIN NOT ATOMIC, a labelled
     * block, IF, CASE, a loop). A function's or a trigger's savepoint does not outlive the statement that ran it
     * (checked on MariaDB 10.11), so they do not count.
     */
    public boolean runsUnseenStatements() {
        return runsUnseenStatements;
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
        /** INTO was seen in the current statement: user variables after it are assignment targets. */
        private boolean into;
        /** Inside the variable list of SET STATEMENT ... FOR. */
        private boolean statementScope;
        /** The current statement is, or defines, a compound statement: any of its words may begin a statement. */
        private boolean compound;
        /** The current statement is a ROLLBACK with a TO: to a savepoint, which keeps the transaction. */
        private boolean rollbackTo;

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
                } else if (c == '#' || c == '-' && at(i + 1) == '-' && dashesStartComment(at(i + 2))) {
                    while (i < end && s[i] != '\n') {
                        i++;
                    }
                } else if (c == '/' && at(i + 1) == '*') {
                    blockComment();
                } else if (c == '@') {
                    userVariable();
                } else if (c == ';') {
                    statementEnded();
                    wordIndex = 0;
                    firstWord = "";
                    secondWord = "";
                    previousWord = "";
                    into = false;
                    statementScope = false;
                    compound = false;
                    rollbackTo = false;
                    i++;
                } else if (c == ':' && wordIndex == 1 && at(i + 1) != '=') {
                    // "label: BEGIN ...", "label: LOOP ...": only compound statements have labels.
                    compound = true;
                    out.runsUnseenStatements = true;
                    i++;
                } else if (isWordChar(c)) {
                    word();
                } else {
                    i++;
                }
            }
            statementEnded();
        }

        /** A statement of the text ends: whether it left a savepoint, or ended the transaction (and its savepoints). */
        private void statementEnded() {
            if (compound) {
                return;
            }
            if (firstWord.equals("savepoint")) {
                out.takesSavepoint = true;
                out.endsTransaction = false;
            } else if (firstWord.equals("commit") || firstWord.equals("rollback") && !rollbackTo) {
                out.takesSavepoint = false;
                out.endsTransaction = true;
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
                out.onlySelects &= w.equals("select") || w.equals("with");
                // GET begins nothing but GET [CURRENT | STACKED] DIAGNOSTICS.
                out.onlyGetDiagnostics &= w.equals("get");
                out.onlyDiagnostics &= w.equals("get") || w.equals("show");
                out.mayKeepFoundRows |= ROWS_NOT_SELECTED.contains(w);
                switch (w) {
                    case "prepare" -> out.pins.add(PinReason.TEXT_PREPARED_STATEMENT);
                    case "xa" -> out.pins.add(PinReason.XA_TRANSACTION);
                    case "handler" -> out.pins.add(PinReason.HANDLER);
                    case "call" -> {
                        out.callsProcedure = true;
                        out.runsUnseenStatements = true;
                    }
                    case "execute", "if", "case", "loop", "repeat", "while", "for" -> out.runsUnseenStatements = true;
                    case "insert", "replace", "load" -> {
                        out.dml = true;
                        out.insertsRows = true;
                        out.loadsData |= w.equals("load");
                    }
                    case "update", "delete" -> out.dml = true;
                    default -> {
                    }
                }
            } else if (firstWord.equals("rollback") && w.equals("to")) {
                rollbackTo = true;
            } else if (wordIndex == 1 && firstWord.equals("begin") && w.equals("not")) {
                // BEGIN NOT ATOMIC: an anonymous block (BEGIN alone, or BEGIN WORK, starts a transaction).
                out.runsUnseenStatements = true;
            }
            if (wordIndex == 1) {
                secondWord = w;
                out.onlyDiagnostics &= firstWord.equals("get") || firstWord.equals("show") && (w.equals("warnings") || w.equals("errors"));
                statementScope = firstWord.equals("set") && w.equals("statement");
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
                case "sql_calc_found_rows" -> out.calcFoundRows = true;
                case "found_rows" -> out.foundRows |= call;
                case "row_count" -> out.rowCount |= call;
                case "connection_id" -> {
                    if (call) {
                        out.pins.add(PinReason.CONNECTION_ID);
                    }
                }
                case "last_insert_id" -> {
                    out.lastInsertId = true;
                    // LAST_INSERT_ID(expr) sets what LAST_INSERT_ID() answers from then on.
                    out.setsLastInsertId |= call && afterOpeningParenthesis() != ')';
                }
                case "insert_id", "rand_seed1", "rand_seed2" -> {
                    if (firstWord.equals("set")) {
                        // Used up by the next insert, or advanced by every RAND(): no value to replay.
                        out.pins.add(PinReason.UNTRACKED_STATE);
                    }
                }
                case "duplicate" -> {
                    if (out.dml) {
                        // INSERT ... ON DUPLICATE KEY UPDATE reports the updated row's id, which LAST_INSERT_ID() does not take.
                        out.setsLastInsertId = true;
                    }
                }
                case "select" -> out.selectsInto |= wordIndex > 0 && !firstWord.equals("select") && !firstWord.equals("with");
                case "into" -> {
                    into = true;
                    out.selectsInto |= firstWord.equals("select") || firstWord.equals("with");
                }
                default -> {
                    if (w.startsWith("session_track_")) {
                        out.sessionTracking = true;
                    }
                }
            }
            out.callsFunction |= call;
            if (statementScope && wordIndex >= 2 && !w.equals("for") && nextNonSpace() == '=') {
                out.statementScopedVariables.add(w);
            }
            previousWord = w;
            wordIndex++;
            if (statementScope && w.equals("for")) {
                // SET STATEMENT ... FOR <statement>: what follows is a statement of its own.
                statementScope = false;
                wordIndex = 0;
                firstWord = "";
                secondWord = "";
            }
        }

        /** The first character after the '(' that follows the current word, spaces and comments skipped. */
        private int afterOpeningParenthesis() {
            int save = i;
            while (i < end && s[i] != '(') {
                i++;
            }
            i++;
            int c = nextNonSpace();
            i = save;
            return c;
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
                String name = i - start > LONGEST_SYSTEM_VARIABLE ? ""
                        : new String(s, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
                if (name.endsWith("identity") || name.endsWith("last_insert_id")) {
                    out.lastInsertId = true;
                }
                if (name.contains("session_track_")) {
                    out.sessionTracking = true;
                }
                String bare = name.substring(name.lastIndexOf('.') + 1);
                if (firstWord.equals("set") && (bare.equals("insert_id") || bare.equals("rand_seed1") || bare.equals("rand_seed2"))) {
                    out.pins.add(PinReason.UNTRACKED_STATE);
                }
                if (statementScope && nextNonSpace() == '=') {
                    out.statementScopedVariables.add(bare);
                } else if (firstWord.equals("set") && !statementScope && name.indexOf('.') < 0 && assignmentFollows()) {
                    out.unscopedSystemVariables.add(name);
                }
                return;
            }
            boolean joinsUserAndHost = i > start && (s[i - 1] == '\'' || s[i - 1] == '"' || s[i - 1] == '`'
                    || isWordChar(s[i - 1] & 0xff) && namesAccounts());
            if (joinsUserAndHost) {
                i++;
                return;
            }
            out.pins.add(PinReason.USER_VARIABLE);
            i++;
            String name = variableName();
            if (assigns()) {
                if (name != null && UserVariables.writable(name)) {
                    out.assignedUserVariables.add(name);
                } else {
                    out.uncapturableUserVariable = true;
                }
            }
        }

        /**
         * The name after '@' (lower case, as the server compares them), plain or quoted; null when it is not plain
         * ASCII, which Sluice would have to write back in the session's character set.
         */
        private String variableName() {
            int quote = at(i);
            StringBuilder name = new StringBuilder();
            boolean ascii = true;
            if (quote == '\'' || quote == '"' || quote == '`') {
                i++;
                while (i < end) {
                    int c = s[i] & 0xff;
                    if (c == quote) {
                        if (at(i + 1) == quote) {
                            name.append((char) c);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    ascii &= c < 0x80 && c != '\\';
                    name.append((char) c);
                    i++;
                }
            } else {
                while (i < end && (isWordChar(s[i] & 0xff) || s[i] == '.')) {
                    ascii &= (s[i] & 0xff) < 0x80;
                    name.append((char) (s[i] & 0xff));
                    i++;
                }
            }
            return ascii && name.length() > 0 ? name.toString().toLowerCase(Locale.ROOT) : null;
        }

        /** Whether '=' or ':=' follows. */
        private boolean assignmentFollows() {
            int next = nextNonSpace();
            if (next == '=') {
                return true;
            }
            if (next != ':') {
                return false;
            }
            int j = i;
            while (j < end && s[j] != ':') {
                j++;
            }
            return at(j + 1) == '=';
        }

        /** Whether the variable just read is (or may be) assigned by the statement. */
        private boolean assigns() {
            int next = nextNonSpace();
            if (next == ':' ) {
                int j = i;
                while (j < end && s[j] != ':') {
                    j++;
                }
                if (at(j + 1) == '=') {
                    return true;
                }
            }
            return into || next == '=' && firstWord.equals("set")
                    || firstWord.equals("get") || firstWord.equals("call") || firstWord.equals("load");
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
