package io.sluice.session;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What gives a prepared statement its meaning besides its text: the schema it was prepared in (MySQL and
 * MariaDB resolve its tables there, whatever the session's schema when it runs), and the session variables
 * that decide how the text parses and what its result metadata says (sql_mode: ANSI_QUOTES, PIPES_AS_CONCAT,
 * NO_BACKSLASH_ESCAPES; the character sets and collation of its literals and results; decimal precision and
 * GROUP_CONCAT length in its column definitions). A statement prepared on a backend is reused for another
 * client only in the same context, and prepared again elsewhere in the context it was first prepared in.
 *
 * @param schema    the default schema at prepare time, or null
 * @param variables the values of {@link #VARIABLES} at prepare time (absent: the server's default)
 */
public record PrepareContext(String schema, Map<String, String> variables) {
    static final List<String> VARIABLES = List.of("sql_mode", SessionVariables.CHARACTER_SET_CLIENT, SessionVariables.CHARACTER_SET_CONNECTION,
            SessionVariables.COLLATION_CONNECTION, SessionVariables.CHARACTER_SET_RESULTS, "div_precision_increment", "group_concat_max_len");

    public static PrepareContext of(SessionState session) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : VARIABLES) {
            String value = session.variables().get(name);
            if (value != null) {
                values.put(name, value);
            }
        }
        return new PrepareContext(session.schema(), Map.copyOf(values));
    }

    /**
     * The key under which a backend keeps a statement: this context and the statement's bytes (compared as
     * bytes: text in another character set must not meet a statement it only decodes to).
     */
    public String key(byte[] sql, int offset, int length) {
        StringBuilder key = new StringBuilder(length + 64);
        key.append(schema == null ? "" : schema).append('\u0000');
        for (String name : VARIABLES) {
            String value = variables.get(name);
            key.append(value == null ? "" : value).append('\u0000');
        }
        // ISO-8859-1 maps every byte to one char and back: the key holds the bytes exactly.
        return key.append(new String(sql, offset, length, java.nio.charset.StandardCharsets.ISO_8859_1)).toString();
    }

    /** The session as it would be with this context's schema and variables: where the statement is prepared again. */
    public SessionState applyTo(SessionState session) {
        SessionState copy = session.copy();
        copy.schema(schema);
        for (String name : VARIABLES) {
            copy.variables().setOrRemove(name, variables.get(name));
        }
        return copy;
    }
}
