package io.sluice.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The fewest commands that bring a backend into a client's session state: nothing when it is there already,
 * else at most a COM_INIT_DB, a COM_SET_OPTION and one combined SET (system variables, and the user variables
 * the client set). User variables of another client are only taken away by resetting the session. Leaving a schema altogether is the one
 * thing no statement does; the plan asks for a COM_CHANGE_USER, after which it must be made again.
 *
 * @param resetFirst   the backend holds user variables the client never set: only a reset takes them away (a
 *                     variable set to NULL keeps its type, and one never set reads differently)
 * @param leaveSchema  the backend has a schema and the client has none
 * @param schema       the schema to enter (COM_INIT_DB), or null
 * @param multiStatements the COM_SET_OPTION to send, or null
 * @param setStatement the combined SET, or null
 */
public record StatePlan(boolean resetFirst, boolean leaveSchema, String schema, Boolean multiStatements, String setStatement) {
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?");
    private static final List<String> CHARSET_ORDER = List.of(SessionVariables.CHARACTER_SET_CLIENT,
            SessionVariables.CHARACTER_SET_RESULTS, SessionVariables.CHARACTER_SET_CONNECTION, SessionVariables.COLLATION_CONNECTION);

    /** Nothing to do: the backend is in the client's state. */
    public static final StatePlan NONE = new StatePlan(false, false, null, null, null);

    public boolean isEmpty() {
        return !resetFirst && !leaveSchema && schema == null && multiStatements == null && setStatement == null;
    }

    /**
     * @param noBackslashEscapes whether the backend runs with NO_BACKSLASH_ESCAPES (its status flag says so),
     *                           which changes how a string literal must be written
     */
    public static StatePlan between(SessionState wanted, BackendState actual, boolean noBackslashEscapes) {
        return between(wanted, actual, noBackslashEscapes, java.util.Set.of());
    }

    /**
     * @param mayStay user variables the backend may keep though the client never set them (Sluice's own, while a
     *                reset would end what the client holds on the backend: its transaction)
     */
    public static StatePlan between(SessionState wanted, BackendState actual, boolean noBackslashEscapes, java.util.Set<String> mayStay) {
        // Loops rather than streams: this runs before a client's statement on every backend it did not just use.
        for (String name : actual.userVariables().asMap().keySet()) {
            if (wanted.userVariables().get(name) == null && !mayStay.contains(name)) {
                return new StatePlan(true, false, null, null, null);
            }
        }
        if (wanted.schema() == null && (!actual.schemaKnown() || actual.schema() != null)) {
            return new StatePlan(false, true, null, null, null);
        }
        // A character set or collation of the schema's that another client set is undone by selecting the schema
        // again: SET ... = DEFAULT would give the server's default, not the schema's.
        boolean schemaDefaultsChanged = false;
        for (String name : actual.variables().asMap().keySet()) {
            if (SessionVariables.SCHEMA_DEFAULTS.contains(name) && wanted.variables().get(name) == null) {
                schemaDefaultsChanged = true;
                break;
            }
        }
        String schema = wanted.schema() != null && (!actual.schemaKnown() || !wanted.schema().equals(actual.schema()) || schemaDefaultsChanged)
                ? wanted.schema() : null;
        Boolean multi = actual.multiStatements() == null || actual.multiStatements() != wanted.multiStatements()
                ? wanted.multiStatements() : null;
        return new StatePlan(false, false, schema, multi, setStatement(wanted.variables(), wanted.userVariables(), actual, noBackslashEscapes));
    }

    private static String setStatement(SessionVariables wanted, UserVariables wantedUser, BackendState actual, boolean noBackslashEscapes) {
        List<String> assignments = new ArrayList<>();
        wantedUser.asMap().forEach((name, value) -> {
            if (!value.equals(actual.userVariables().get(name))) {
                assignments.add(UserVariables.reference(name) + " = " + value.toSql());
            }
        });

        Map<String, String> want = wanted.asMap();
        Map<String, String> have = actual.variables().asMap();
        if (!actual.charsetKnown() || !wanted.sameCharset(actual.variables())) {
            String client = want.get(SessionVariables.CHARACTER_SET_CLIENT);
            String clientCollation = wanted.clientCollation();
            if (clientCollation != null) {
                // A string parameter of a prepared statement takes the collation character_set_client holds inside the
                // server: SET NAMES cs COLLATE coll makes it coll, SET character_set_client the character set's default,
                // though both read the same (program 107 of seed 7). Only a client's SET NAMES is replayed as one: SET
                // collation_connection after it leaves the client's collation as it was (program 1835 of seed 9191).
                assignments.add("NAMES " + literal(SessionVariables.CHARACTER_SET_CLIENT, client, noBackslashEscapes)
                        + " COLLATE " + literal(SessionVariables.COLLATION_CONNECTION, clientCollation, noBackslashEscapes));
            }
            for (String name : CHARSET_ORDER) {
                String value = want.get(name);
                boolean setByNames = clientCollation != null && (name.equals(SessionVariables.CHARACTER_SET_CLIENT)
                        || name.equals(SessionVariables.COLLATION_CONNECTION) && clientCollation.equals(value));
                if (value != null && !setByNames) {
                    assignments.add(assign(name, value, noBackslashEscapes));
                }
            }
        }
        want.forEach((name, value) -> {
            if (!SessionVariables.CHARSET.contains(name) && !value.equals(have.get(name))) {
                assignments.add(assign(name, value, noBackslashEscapes));
            }
        });
        have.keySet().forEach(name -> {
            if (!SessionVariables.CHARSET.contains(name) && !want.containsKey(name)) {
                assignments.add("@@session." + name + " = DEFAULT");
            }
        });
        return assignments.isEmpty() ? null : "SET " + String.join(", ", assignments);
    }

    private static String assign(String name, String value, boolean noBackslashEscapes) {
        return "@@session." + name + " = " + literal(name, value, noBackslashEscapes);
    }

    /**
     * The value as the server reported it, written so that the server reads it back the same: numbers and
     * ON/OFF bare (a quoted number is refused by integer variables), an empty character set as NULL, the rest
     * as a string.
     */
    static String literal(String name, String value, boolean noBackslashEscapes) {
        if (SessionVariables.CHARSET.contains(name) && value.isEmpty()) {
            return "NULL";
        }
        if (NUMBER.matcher(value).matches() || value.equals("ON") || value.equals("OFF")) {
            return value;
        }
        String escaped = noBackslashEscapes ? value : value.replace("\\", "\\\\");
        return "'" + escaped.replace("'", "''") + "'";
    }
}
