package io.sluice.protocol;

/**
 * Initial handshake packet (protocol version 10) the server sends first on every connection.
 *
 * @param scramble 20 bytes of auth-plugin data; none of them may be NUL, old clients read it as a C string
 */
public record HandshakeV10(String serverVersion, long connectionId, byte[] scramble, int capabilities, int collationId,
        int statusFlags, String authPluginName) {
    public static final int PROTOCOL_VERSION = 10;

    public byte[] encode() {
        if (scramble.length != 20) {
            throw new IllegalArgumentException("scramble must be 20 bytes");
        }
        PayloadWriter w = new PayloadWriter(96)
                .int1(PROTOCOL_VERSION)
                .nulTerminated(serverVersion)
                .int4(connectionId)
                .bytes(scramble, 0, 8)
                .int1(0)
                .int2(capabilities & 0xffff)
                .int1(collationId)
                .int2(statusFlags)
                .int2(capabilities >>> 16)
                .int1(scramble.length + 1)
                // Ten reserved bytes. MariaDB puts extended capabilities in the last four when
                // CLIENT_LONG_PASSWORD is clear; Sluice sets that flag and offers none.
                .zeros(10)
                .bytes(scramble, 8, 12)
                .int1(0)
                .nulTerminated(authPluginName);
        return w.toByteArray();
    }

    public static HandshakeV10 decode(byte[] payload) {
        PayloadReader r = new PayloadReader(payload);
        int version = r.readInt1();
        if (version != PROTOCOL_VERSION) {
            throw new MalformedPacketException("unsupported protocol version " + version);
        }
        String serverVersion = r.readNulTerminatedString();
        long connectionId = r.readInt4();
        byte[] part1 = r.readBytes(8);
        r.skip(1);
        int caps = r.readInt2();
        int collation = r.readInt1();
        int status = r.readInt2();
        caps |= r.readInt2() << 16;
        int authDataLength = r.readInt1();
        r.skip(10);
        int part2Length = Math.max(13, authDataLength - 8);
        byte[] part2 = r.readBytes(Math.min(part2Length, r.remaining()));
        byte[] scramble = new byte[20];
        System.arraycopy(part1, 0, scramble, 0, 8);
        System.arraycopy(part2, 0, scramble, 8, Math.min(12, part2.length));
        String plugin = r.hasRemaining() ? r.readNulTerminatedString() : "";
        return new HandshakeV10(serverVersion, connectionId, scramble, caps, collation, status, plugin);
    }
}
