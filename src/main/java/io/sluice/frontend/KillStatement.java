package io.sluice.frontend;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A KILL statement in a COM_QUERY. Sluice must answer these itself: the id a client knows is Sluice's
 * connection id (from the handshake, as Connector/J's cancel uses it), and relaying KILL to a pooled backend
 * would kill whichever client happened to run there.
 *
 * @param id         the id to kill, empty when the statement is a KILL form Sluice does not support
 * @param connection true for KILL [CONNECTION], false for KILL QUERY
 */
record KillStatement(OptionalLong id, boolean connection) {
    /** The id of {@code KILL [QUERY] CONNECTION_ID()}: the session's own. */
    static final long OWN_ID = -1;
    private static final Pattern KILL_PREFIX = Pattern.compile("^\\s*KILL\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern KILL = Pattern.compile(
            "^\\s*KILL\\s+(?:(?:HARD|SOFT)\\s+)?(?:(CONNECTION|QUERY)\\s+)?(\\d{1,19}|CONNECTION_ID\\s*\\(\\s*\\))\\s*;?\\s*$",
            Pattern.CASE_INSENSITIVE);

    static Optional<KillStatement> parse(byte[] sql, int offset, int length) {
        // Cheap test first: only statements starting with KILL are decoded.
        int i = offset;
        int end = offset + length;
        while (i < end && Character.isWhitespace(sql[i])) {
            i++;
        }
        if (end - i < 4 || (sql[i] | 0x20) != 'k' || (sql[i + 1] | 0x20) != 'i' || (sql[i + 2] | 0x20) != 'l' || (sql[i + 3] | 0x20) != 'l') {
            return Optional.empty();
        }
        String text = new String(sql, offset, length, StandardCharsets.UTF_8);
        if (!KILL_PREFIX.matcher(text).find()) {
            return Optional.empty();
        }
        Matcher m = KILL.matcher(text);
        if (!m.matches()) {
            return Optional.of(new KillStatement(OptionalLong.empty(), true));
        }
        boolean query = m.group(1) != null && m.group(1).equalsIgnoreCase("QUERY");
        if (!Character.isDigit(m.group(2).charAt(0))) {
            return Optional.of(new KillStatement(OptionalLong.of(OWN_ID), !query));
        }
        try {
            return Optional.of(new KillStatement(OptionalLong.of(Long.parseLong(m.group(2))), !query));
        } catch (NumberFormatException e) {
            return Optional.of(new KillStatement(OptionalLong.empty(), true));
        }
    }
}
