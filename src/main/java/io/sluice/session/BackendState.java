package io.sluice.session;

/**
 * The session state Sluice knows a backend connection to be in, kept current from the session-tracking data
 * of every answer the backend gives. What is not known (a fresh connection's character set, everything after
 * a reset) is replayed before the next client command.
 */
public final class BackendState {
    private boolean schemaKnown;
    private String schema;
    private Boolean multiStatements;
    private boolean charsetKnown;
    private final SessionVariables variables = new SessionVariables();
    private final UserVariables userVariables = new UserVariables();
    private final LastStatement lastStatement = new LastStatement();
    private long lastInsertId;
    private boolean lastInsertIdKnown = true;
    private boolean noBackslashEscapes;
    /** Changes to what is not in the variables; see {@link #version}. */
    private int changes;

    /** As {@link SessionState#version}: moves whenever what a state replay compares may have changed. */
    public long version() {
        return (long) changes + variables.changes() + userVariables.changes();
    }

    /** A connection as Connector/J opened it: no schema, multi-statements off, character set Connector/J's own. */
    public static BackendState fresh() {
        BackendState s = new BackendState();
        s.schemaKnown = true;
        s.multiStatements = false;
        // Connector/J ran statements of its own while connecting, none of which raises conditions; but MariaDB may
        // give a new connection the server thread of a closed one, with that one's warning count (of conditions
        // counted but not stored, max_error_count = 0): of unknown origin, cleared before a client reads.
        s.lastStatement.unknown();
        return s;
    }

    /**
     * After COM_RESET_CONNECTION: variables back at the global defaults, the character set back at the
     * connection's handshake (Sluice's, not a client's), no last insert id. The schema stays.
     */
    public void afterReset(boolean raisedConditions) {
        // A reset does not always empty the diagnostics area. MariaDB 10.11 keeps the warning count of a statement
        // whose conditions were counted but not stored (SET STATEMENT max_error_count = 0 FOR ...), and its OK says
        // nothing of it; ending the old session may also raise conditions of its own, which the OK does count.
        boolean mayHoldConditions = raisedConditions || lastStatement.diagnostics();
        changes++;
        variables.clear();
        userVariables.clear();
        lastStatement.unknown();
        lastStatement.conditionsFrom(mayHoldConditions ? LastStatement.UNKNOWN_ORIGIN : 0);
        charsetKnown = false;
        multiStatements = null;
        lastInsertId = 0;
        lastInsertIdKnown = true;
    }

    /** After a COM_CHANGE_USER without a schema: everything reset, no schema. */
    public void afterChangeUser() {
        afterReset(false);
        changes++;
        schemaKnown = true;
        schema = null;
    }

    /** Takes in what the backend reported about a command run on it. */
    public void apply(SessionTrack track) {
        if (track.schema() != null) {
            variables.schemaChanged();
        }
        variables.setAll(SessionState.replayable(track.variables()));
        Long id = SessionVariables.lastInsertIdSet(track.variables());
        if (id != null) {
            lastInsertId(id);
        }
        if (track.schema() != null) {
            changes++;
            schemaKnown = true;
            schema = track.schema().isEmpty() ? null : track.schema();
        }
    }

    /** Records that the backend was brought into {@code wanted}'s variables, system and user. */
    public void variablesSetTo(SessionVariables wanted, UserVariables wantedUser) {
        variables.copyFrom(wanted);
        userVariables.copyFrom(wantedUser);
        changes++;
        charsetKnown = true;
    }

    public boolean schemaKnown() {
        return schemaKnown;
    }

    public String schema() {
        return schema;
    }

    /** After Sluice's own change of schema (COM_INIT_DB), which also resets the schema's character set and collation. */
    public void schema(String s) {
        changes++;
        schemaKnown = true;
        schema = s;
        variables.schemaChanged();
    }

    public Boolean multiStatements() {
        return multiStatements;
    }

    public void multiStatements(boolean on) {
        changes++;
        multiStatements = on;
    }

    public boolean charsetKnown() {
        return charsetKnown;
    }

    public SessionVariables variables() {
        return variables;
    }

    /** The user variables Sluice set or saw set on this backend (the only ones a replay must take away). */
    public UserVariables userVariables() {
        return userVariables;
    }

    /** What the last statement on this backend (a client's, or Sluice's own) left. */
    public LastStatement lastStatement() {
        return lastStatement;
    }

    public long lastInsertId() {
        return lastInsertId;
    }

    public void lastInsertId(long id) {
        lastInsertId = id;
        lastInsertIdKnown = true;
    }

    /** Whether Sluice knows what LAST_INSERT_ID() answers on this backend (not after an insert it has not read back). */
    public boolean lastInsertIdKnown() {
        return lastInsertIdKnown;
    }

    /** An insert ran whose effect on LAST_INSERT_ID() no answer states exactly. */
    public void forgetLastInsertId() {
        lastInsertIdKnown = false;
    }

    /** Whether the backend's sql_mode has NO_BACKSLASH_ESCAPES (its status flags say), which changes string literals. */
    public boolean noBackslashEscapes() {
        return noBackslashEscapes;
    }

    public void noBackslashEscapes(boolean on) {
        if (on != noBackslashEscapes) {
            changes++;
        }
        noBackslashEscapes = on;
    }
}
