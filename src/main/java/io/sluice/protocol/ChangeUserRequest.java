package io.sluice.protocol;

import java.util.Map;

/** COM_CHANGE_USER: log in again as another user on the same connection, without a new handshake. */
public record ChangeUserRequest(String username, byte[] authResponse, String database, int collationId,
        String authPluginName, Map<String, String> attributes) {

    /** Decodes the payload (command byte included) under the capabilities negotiated at the handshake. */
    public static ChangeUserRequest decode(byte[] payload, int capabilities) {
        PayloadReader r = new PayloadReader(payload);
        r.skip(1);
        String user = r.readNulTerminatedString();
        byte[] auth = (capabilities & CapabilityFlags.CLIENT_SECURE_CONNECTION) != 0
                ? r.readBytes(r.readInt1())
                : r.readNulTerminatedBytes();
        String db = r.hasRemaining() ? r.readNulTerminatedString() : "";
        int collation = r.remaining() >= 2 ? r.readInt2() : 0;
        String plugin = null;
        if ((capabilities & CapabilityFlags.CLIENT_PLUGIN_AUTH) != 0 && r.hasRemaining()) {
            plugin = r.readNulTerminatedString();
        }
        Map<String, String> attrs = Map.of();
        if ((capabilities & CapabilityFlags.CLIENT_CONNECT_ATTRS) != 0 && r.hasRemaining()) {
            attrs = HandshakeResponse.readAttributes(r);
        }
        return new ChangeUserRequest(user, auth, db.isEmpty() ? null : db, collation, plugin, attrs);
    }
}
