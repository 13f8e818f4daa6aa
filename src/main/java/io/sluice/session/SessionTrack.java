package io.sluice.session;

import io.sluice.protocol.PayloadReader;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the server said changed in a session, decoded from the session-state data of one OK packet
 * (CLIENT_SESSION_TRACK). Sluice turns on tracking of every system variable, the schema, transaction
 * characteristics and "anything else changed" on its backend connections, so this is how it knows a
 * backend's state without parsing SQL.
 *
 * @param variables                   system variables set, by lower-case name, to the value the server shows
 * @param schema                      the new default schema, or null if it did not change ("" when dropped)
 * @param stateChanged                the server reported a state change (also for state it does not name:
 *                                    user variables, temporary tables, text-protocol PREPARE)
 * @param transactionCharacteristics  SQL that would recreate pending transaction characteristics
 *                                    (e.g. "SET TRANSACTION READ ONLY;"), "" once none are pending, null if not reported
 */
public record SessionTrack(Map<String, String> variables, String schema, boolean stateChanged, String transactionCharacteristics) {
    public static final SessionTrack NONE = new SessionTrack(Map.of(), null, false, null);

    static final int SYSTEM_VARIABLES = 0x00;
    static final int SCHEMA = 0x01;
    static final int STATE_CHANGE = 0x02;
    static final int TRANSACTION_CHARACTERISTICS = 0x04;

    /** Whether the server reported a change it did not name: state Sluice cannot carry to another connection. */
    public boolean untrackedChange() {
        return stateChanged && variables.isEmpty() && schema == null;
    }

    /** The same report without the given variables. */
    public SessionTrack without(java.util.Set<String> names) {
        Map<String, String> rest = new LinkedHashMap<>(variables);
        rest.keySet().removeAll(names);
        return new SessionTrack(rest, schema, stateChanged, transactionCharacteristics);
    }

    public static SessionTrack parse(byte[] info) {
        if (info == null || info.length == 0) {
            return NONE;
        }
        Map<String, String> variables = new LinkedHashMap<>();
        String schema = null;
        boolean stateChanged = false;
        String characteristics = null;
        PayloadReader r = new PayloadReader(info);
        while (r.hasRemaining()) {
            int type = r.readInt1();
            byte[] data = r.readLenencBytes();
            switch (type) {
                case SYSTEM_VARIABLES -> {
                    PayloadReader d = new PayloadReader(data);
                    String name = d.readLenencString().toLowerCase(java.util.Locale.ROOT);
                    variables.put(name, d.readLenencString());
                }
                case SCHEMA -> schema = new PayloadReader(data).readLenencString();
                // MySQL sends the flag as a length-encoded "1", MariaDB as a bare "1": either way, a change.
                case STATE_CHANGE -> stateChanged = true;
                case TRANSACTION_CHARACTERISTICS -> characteristics = data.length == 0 ? "" : new PayloadReader(data).readLenencString();
                default -> {
                    // GTIDs and transaction state: nothing Sluice replays.
                }
            }
        }
        return new SessionTrack(variables, schema, stateChanged, characteristics);
    }
}
