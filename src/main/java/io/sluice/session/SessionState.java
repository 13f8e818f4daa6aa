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
    private long lastInsertId;

    public SessionState(int handshakeCollation, String schema, boolean multiStatements) {
        this.variables = SessionVariables.forHandshakeCollation(handshakeCollation);
        this.schema = schema;
        this.multiStatements = multiStatements;
    }

    /** Takes in what the server reported about the client's own command. */
    public void apply(SessionTrack track) {
        variables.setAll(withoutTrackingSettings(track.variables()));
        if (track.schema() != null) {
            schema = track.schema().isEmpty() ? null : track.schema();
        }
    }

    /** COM_RESET_CONNECTION: as after the handshake, but the schema stays. */
    public void reset(int handshakeCollation) {
        variables.copyFrom(SessionVariables.forHandshakeCollation(handshakeCollation));
        lastInsertId = 0;
    }

    /** Sluice's own session_track_* settings are not the client's state and are never replayed. */
    static Map<String, String> withoutTrackingSettings(Map<String, String> variables) {
        if (variables.keySet().stream().noneMatch(SessionState::isTrackingSetting)) {
            return variables;
        }
        Map<String, String> rest = new java.util.LinkedHashMap<>(variables);
        rest.keySet().removeIf(SessionState::isTrackingSetting);
        return rest;
    }

    public static boolean isTrackingSetting(String variable) {
        return variable.startsWith("session_track_");
    }

    public String schema() {
        return schema;
    }

    public void schema(String s) {
        schema = s;
    }

    public boolean multiStatements() {
        return multiStatements;
    }

    public void multiStatements(boolean on) {
        multiStatements = on;
    }

    public SessionVariables variables() {
        return variables;
    }

    public long lastInsertId() {
        return lastInsertId;
    }

    public void lastInsertId(long id) {
        lastInsertId = id;
    }
}
