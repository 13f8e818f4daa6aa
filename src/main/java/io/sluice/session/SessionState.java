package io.sluice.session;

import java.util.Map;

/**
 * The session a client believes it has: what its connection would hold if it had one of its own. Sluice
 * brings whichever backend serves the client into this state before running the client's command.
 */
public final class SessionState {
    private String schema;
    private boolean multiStatements;
    private final SessionVariables variables;
    private final UserVariables userVariables = new UserVariables();
    private final LastStatement lastStatement = new LastStatement();
    private long lastInsertId;
    /** Changes to the schema and multi-statements; see {@link #version}. */
    private int changes;

    public SessionState(int handshakeCollation, String schema, boolean multiStatements) {
        this.variables = SessionVariables.forHandshakeCollation(handshakeCollation);
        this.schema = schema;
        this.multiStatements = multiStatements;
    }

    private SessionState(SessionState other) {
        this.variables = new SessionVariables();
        this.variables.copyFrom(other.variables);
        this.userVariables.copyFrom(other.userVariables);
        this.lastStatement.copyFrom(other.lastStatement);
        this.schema = other.schema;
        this.multiStatements = other.multiStatements;
        this.lastInsertId = other.lastInsertId;
    }

    /** A copy, to be brought into another context without changing this one. */
    public SessionState copy() {
        return new SessionState(this);
    }

    /**
     * A number that changes whenever anything a state replay brings to a backend (schema, multi-statements, system and
     * user variables) may have changed: a plan found empty stays empty while neither side's version moves.
     */
    public long version() {
        return (long) changes + variables.changes() + userVariables.changes();
    }

    /** Takes in what the server reported about the client's own command. */
    public void apply(SessionTrack track) {
        if (track.schema() != null) {
            variables.schemaChanged();
        }
        variables.setAll(replayable(track.variables()));
        Long id = SessionVariables.lastInsertIdSet(track.variables());
        if (id != null) {
            lastInsertId = id;
        }
        if (track.schema() != null) {
            changes++;
            schema = track.schema().isEmpty() ? null : track.schema();
        }
    }

    /** COM_RESET_CONNECTION: as after the handshake, but the schema stays. */
    public void reset(int handshakeCollation) {
        variables.copyFrom(SessionVariables.forHandshakeCollation(handshakeCollation));
        userVariables.clear();
        // MariaDB's reset leaves FOUND_ROWS() as the last SELECT left it (the differential test compares).
        long foundRows = lastStatement.foundRows();
        lastStatement.reset();
        lastStatement.foundRows(foundRows);
        lastInsertId = 0;
    }

    /**
     * The variables of a tracking report that a replay sets: not Sluice's own session_track_* settings, and
     * not those that are no setting at all (the last insert id, which Sluice keeps apart).
     */
    static Map<String, String> replayable(Map<String, String> variables) {
        if (variables.keySet().stream().allMatch(SessionVariables::replayable)) {
            return variables;
        }
        Map<String, String> rest = new java.util.LinkedHashMap<>(variables);
        rest.keySet().removeIf(name -> !SessionVariables.replayable(name));
        return rest;
    }

    public static boolean isTrackingSetting(String variable) {
        return variable.startsWith("session_track_");
    }

    public String schema() {
        return schema;
    }

    public void schema(String s) {
        changes++;
        schema = s;
    }

    public boolean multiStatements() {
        return multiStatements;
    }

    public void multiStatements(boolean on) {
        changes++;
        multiStatements = on;
    }

    public SessionVariables variables() {
        return variables;
    }

    /** The user variables the client has set, as captured from the backends that set them. */
    public UserVariables userVariables() {
        return userVariables;
    }

    /** What the client's last statement left: its row count, found rows, conditions. */
    public LastStatement lastStatement() {
        return lastStatement;
    }

    public long lastInsertId() {
        return lastInsertId;
    }

    public void lastInsertId(long id) {
        lastInsertId = id;
    }
}
