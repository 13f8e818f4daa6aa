package io.sluice.frontend;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A KILL statement in a COM_QUERY. Sluice must answer these itself: the id a client knows is Sluice's
 * connection id (from the handshake, as Connector/J's cancel uses it), and relaying KILL to a pooled backend
 * would kill whichever client happened to run there.
 *
 * <p>Read token by token in one pass, as client input must be (the regular expression this replaces backtracked
 * quadratically over trailing white space). Comments may stand before, between and after the tokens, as the
 * server allows. Whether KILL hides elsewhere in a text (after a {@code ;}, in a compound statement) is
 * {@link io.sluice.session.StatementTraits#kills()}'s to say; this reads only a text that is one KILL.
 *
 * @param id         the id to kill, empty when the statement is a KILL form Sluice does not support
 * @param connection true for KILL [CONNECTION], false for KILL QUERY
 */
record KillStatement(OptionalLong id, boolean connection) {
    /** The id of {@code KILL [QUERY] CONNECTION_ID()}: the session's own. */
    static final long OWN_ID = -1;
    private static final KillStatement UNSUPPORTED = new KillStatement(OptionalLong.empty(), true);
    /** Digits of the largest id a signed 64-bit number holds; more cannot be a connection id. */
    private static final int MAX_DIGITS = 19;

    /** The KILL statement that is the whole of {@code sql[offset, offset + length)}; empty when it does not start with KILL. */
    static Optional<KillStatement> parse(byte[] sql, int offset, int length) {
        Tokens t = new Tokens(sql, offset, offset + length);
        if (!t.word("kill")) {
            return Optional.empty();
        }
        if (!t.word("hard")) {
            t.word("soft");
        }
        boolean query = t.word("query");
        if (!query) {
            t.word("connection");
        }
        OptionalLong id = t.word("connection_id") && t.symbol('(') && t.symbol(')') ? OptionalLong.of(OWN_ID) : t.number();
        if (id.isEmpty()) {
            return Optional.of(UNSUPPORTED);
        }
        t.symbol(';');
        return Optional.of(t.atEnd() ? new KillStatement(id, !query) : UNSUPPORTED);
    }

    /** The text as tokens: white space and comments between them skipped; executable comments are not skipped. */
    private static final class Tokens {
        private final byte[] s;
        private final int end;
        private int i;

        Tokens(byte[] s, int from, int end) {
            this.s = s;
            this.i = from;
            this.end = end;
            skipSpace();
        }

        /** Consumes the word {@code lower} (any case) if it is next. */
        boolean word(String lower) {
            int n = lower.length();
            if (end - i < n) {
                return false;
            }
            for (int k = 0; k < n; k++) {
                int c = s[i + k] & 0xff;
                if ((c >= 'A' && c <= 'Z' ? c | 0x20 : c) != lower.charAt(k)) {
                    return false;
                }
            }
            if (i + n < end && isWordChar(s[i + n] & 0xff)) {
                return false;
            }
            i += n;
            skipSpace();
            return true;
        }

        /** Consumes a decimal number of at most 19 digits if one is next, ending where a word may not go on. */
        OptionalLong number() {
            int start = i;
            while (i < end && s[i] >= '0' && s[i] <= '9' && i - start <= MAX_DIGITS) {
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > MAX_DIGITS || i < end && isWordChar(s[i] & 0xff)) {
                return OptionalLong.empty();
            }
            long value = 0;
            for (int k = start; k < i; k++) {
                int digit = s[k] - '0';
                if (value > (Long.MAX_VALUE - digit) / 10) {
                    return OptionalLong.empty();
                }
                value = value * 10 + digit;
            }
            skipSpace();
            return OptionalLong.of(value);
        }

        /** Consumes {@code c} if it is next. */
        boolean symbol(char c) {
            if (i < end && s[i] == c) {
                i++;
                skipSpace();
                return true;
            }
            return false;
        }

        boolean atEnd() {
            return i >= end;
        }

        private void skipSpace() {
            while (i < end) {
                int c = s[i] & 0xff;
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b) {
                    i++;
                } else if (c == '#' || c == '-' && at(i + 1) == '-' && io.sluice.session.StatementTraits.dashesStartComment(at(i + 2))) {
                    while (i < end && s[i] != '\n') {
                        i++;
                    }
                } else if (c == '/' && at(i + 1) == '*' && at(i + 2) != '!' && !(at(i + 2) == 'M' && at(i + 3) == '!')) {
                    int close = i + 2;
                    while (close + 1 < end && !(s[close] == '*' && s[close + 1] == '/')) {
                        close++;
                    }
                    i = Math.min(end, close + 2);
                } else {
                    return;
                }
            }
        }

        private int at(int j) {
            return j < end ? s[j] & 0xff : -1;
        }

        private static boolean isWordChar(int c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80;
        }
    }
}
