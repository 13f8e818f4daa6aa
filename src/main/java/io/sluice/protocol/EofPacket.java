package io.sluice.protocol;

/** EOF_Packet of clients without CLIENT_DEPRECATE_EOF: 0xfe, warnings, status flags. */
public record EofPacket(int warnings, int statusFlags) {
    public static final int HEADER = 0xfe;

    /** An EOF packet, as opposed to a row or OK packet that also starts with 0xfe, is shorter than 9 bytes. */
    public static boolean is(byte[] payload, int length) {
        return length > 0 && length < 9 && (payload[0] & 0xff) == HEADER;
    }

    public static EofPacket decode(byte[] payload, int length) {
        PayloadReader r = new PayloadReader(payload, 0, length);
        r.skip(1);
        return r.remaining() >= 4 ? new EofPacket(r.readInt2(), r.readInt2()) : new EofPacket(0, 0);
    }

    public byte[] encode() {
        return new PayloadWriter(5).int1(HEADER).int2(warnings).int2(statusFlags).toByteArray();
    }
}
