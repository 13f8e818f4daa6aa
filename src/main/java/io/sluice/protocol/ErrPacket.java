package io.sluice.protocol;

import java.nio.charset.StandardCharsets;

/** ERR_Packet: 0xff, error code, '#' and a five-character SQLSTATE, then the message. */
public record ErrPacket(int code, String sqlState, String message) {
    public static final int HEADER = 0xff;

    public static boolean is(byte[] payload) {
        return payload.length > 0 && (payload[0] & 0xff) == HEADER;
    }

    public byte[] encode() {
        return new PayloadWriter(9 + message.length())
                .int1(HEADER).int2(code).int1('#').string(sqlState).string(message)
                .toByteArray();
    }

    public static ErrPacket decode(byte[] payload, int length) {
        PayloadReader r = new PayloadReader(payload, 0, length);
        r.skip(1);
        int code = r.readInt2();
        String state = "HY000";
        if (r.hasRemaining() && r.peek() == '#') {
            r.skip(1);
            state = new String(r.readBytes(5), StandardCharsets.US_ASCII);
        }
        return new ErrPacket(code, state, new String(r.readRest(), StandardCharsets.UTF_8));
    }
}
