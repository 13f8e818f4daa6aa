package io.sluice.protocol;

/**
 * OK_Packet, also in its 0xfe-headed form that ends a result set when CLIENT_DEPRECATE_EOF is on.
 *
 * <p>With CLIENT_SESSION_TRACK the info string is length-encoded and may be followed by session-state
 * data; without it the info string simply runs to the end of the packet. Servers omit trailing empty
 * fields, so a packet may end right after the warnings.
 */
public record OkPacket(int header, long affectedRows, long lastInsertId, int statusFlags, int warnings, byte[] info,
        byte[] sessionStateInfo) {
    public static final int HEADER = 0x00;
    public static final int EOF_HEADER = 0xfe;
    private static final byte[] EMPTY = new byte[0];

    public static OkPacket of(int statusFlags) {
        return new OkPacket(HEADER, 0, 0, statusFlags, 0, EMPTY, null);
    }

    public static OkPacket decode(byte[] payload, int length, boolean sessionTrack) {
        PayloadReader r = new PayloadReader(payload, 0, length);
        int header = r.readInt1();
        long affected = r.readLenenc();
        long lastId = r.readLenenc();
        int status = r.readInt2();
        int warnings = r.readInt2();
        byte[] info = EMPTY;
        byte[] state = null;
        if (sessionTrack) {
            if (r.hasRemaining()) {
                info = r.readLenencBytes();
            }
            if ((status & ServerStatus.SERVER_SESSION_STATE_CHANGED) != 0 && r.hasRemaining()) {
                state = r.readLenencBytes();
            }
        } else {
            info = r.readRest();
        }
        return new OkPacket(header, affected, lastId, status, warnings, info, state);
    }

    /**
     * Encodes for a peer that did ({@code sessionTrack}) or did not negotiate CLIENT_SESSION_TRACK. Without it the
     * info string is still length-encoded (and left out when empty): the protocol documentation says string&lt;EOF&gt;,
     * but MySQL's server (net_send_ok stores it with net_store_data either way) and MariaDB's both write it so, and
     * Connector/J reads it so whatever was negotiated.
     */
    public byte[] encode(boolean sessionTrack) {
        PayloadWriter w = new PayloadWriter(16 + info.length)
                .int1(header).lenenc(affectedRows).lenenc(lastInsertId);
        if (sessionTrack) {
            w.int2(statusFlags).int2(warnings);
            boolean stateChanged = (statusFlags & ServerStatus.SERVER_SESSION_STATE_CHANGED) != 0 && sessionStateInfo != null;
            if (info.length > 0 || stateChanged) {
                w.lenencBytes(info);
            }
            if (stateChanged) {
                w.lenencBytes(sessionStateInfo);
            }
        } else {
            w.int2(statusFlags & ~ServerStatus.SERVER_SESSION_STATE_CHANGED).int2(warnings);
            if (info.length > 0) {
                w.lenencBytes(info);
            }
        }
        return w.toByteArray();
    }

    public OkPacket withStatus(int flags) {
        return new OkPacket(header, affectedRows, lastInsertId, flags, warnings, info, sessionStateInfo);
    }
}
