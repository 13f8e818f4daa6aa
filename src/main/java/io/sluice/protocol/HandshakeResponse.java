package io.sluice.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HandshakeResponse41, the client's answer to the initial handshake (or, when it is only 32 bytes
 * long with CLIENT_SSL set, an SSLRequest that asks to switch to TLS first).
 */
public record HandshakeResponse(int capabilities, long maxPacketSize, int collationId, String username,
        byte[] authResponse, String database, String authPluginName, Map<String, String> attributes) {
    public static final int SSL_REQUEST_LENGTH = 32;

    public boolean has(int flag) {
        return (capabilities & flag) != 0;
    }

    public static boolean isSslRequest(byte[] payload) {
        if (payload.length != SSL_REQUEST_LENGTH) {
            return false;
        }
        int caps = (int) new PayloadReader(payload).readInt4();
        return (caps & CapabilityFlags.CLIENT_SSL) != 0;
    }

    public static HandshakeResponse decode(byte[] payload) {
        PayloadReader r = new PayloadReader(payload);
        int caps = (int) r.readInt4();
        if ((caps & CapabilityFlags.CLIENT_PROTOCOL_41) == 0) {
            throw new MalformedPacketException("client does not speak protocol 4.1");
        }
        long maxPacket = r.readInt4();
        int collation = r.readInt1();
        r.skip(23);
        String user = r.readNulTerminatedString();
        byte[] auth;
        if ((caps & CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA) != 0) {
            auth = r.readLenencBytes();
        } else if ((caps & CapabilityFlags.CLIENT_SECURE_CONNECTION) != 0) {
            auth = r.readBytes(r.readInt1());
        } else {
            auth = r.readNulTerminatedBytes();
        }
        String db = null;
        if ((caps & CapabilityFlags.CLIENT_CONNECT_WITH_DB) != 0 && r.hasRemaining()) {
            db = r.readNulTerminatedString();
        }
        String plugin = null;
        if ((caps & CapabilityFlags.CLIENT_PLUGIN_AUTH) != 0 && r.hasRemaining()) {
            plugin = r.readNulTerminatedString();
        }
        Map<String, String> attrs = Map.of();
        if ((caps & CapabilityFlags.CLIENT_CONNECT_ATTRS) != 0 && r.hasRemaining()) {
            attrs = readAttributes(r);
        }
        return new HandshakeResponse(caps, maxPacket, collation, user, auth, db == null || db.isEmpty() ? null : db, plugin, attrs);
    }

    static Map<String, String> readAttributes(PayloadReader r) {
        long total = r.readLenenc();
        if (total < 0 || total > r.remaining()) {
            throw new MalformedPacketException("connection attributes of " + total + " bytes exceed the packet");
        }
        int end = r.position() + (int) total;
        Map<String, String> attrs = new LinkedHashMap<>();
        while (r.position() < end) {
            attrs.put(r.readLenencString(), r.readLenencString());
        }
        if (r.position() != end) {
            throw new MalformedPacketException("connection attributes overrun their declared length");
        }
        return attrs;
    }

    public byte[] encode() {
        PayloadWriter w = new PayloadWriter(128)
                .int4(capabilities).int4(maxPacketSize).int1(collationId).zeros(23)
                .nulTerminated(username);
        if (has(CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
            w.lenencBytes(authResponse);
        } else {
            w.int1(authResponse.length).bytes(authResponse);
        }
        if (has(CapabilityFlags.CLIENT_CONNECT_WITH_DB)) {
            w.nulTerminated(database == null ? "" : database);
        }
        if (has(CapabilityFlags.CLIENT_PLUGIN_AUTH)) {
            w.nulTerminated(authPluginName == null ? "" : authPluginName);
        }
        if (has(CapabilityFlags.CLIENT_CONNECT_ATTRS)) {
            PayloadWriter a = new PayloadWriter();
            attributes.forEach((k, v) -> a.lenencString(k).lenencString(v));
            w.lenencBytes(a.toByteArray());
        }
        return w.toByteArray();
    }
}
