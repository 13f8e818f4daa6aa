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

    /**
     * A copy of a server's handshake payload with {@code capabilities} cleared, every other byte as the server sent
     * it (MariaDB's extended capabilities in the reserved bytes included). A client that reads the copy cannot agree
     * a capability the server offered: this is how Sluice keeps features it does not relay out of Connector/J's login.
     * A payload that is not a whole protocol-10 handshake (an ERR such as "Too many connections") is returned as is,
     * for the client to report.
     */
    public static byte[] withoutCapabilities(byte[] payload, int capabilities) {
        if (payload.length == 0 || (payload[0] & 0xff) != PROTOCOL_VERSION) {
            return payload;
        }
        int versionEnd = 1;
        while (versionEnd < payload.length && payload[versionEnd] != 0) {
            versionEnd++;
        }
        // After the version's NUL: connection id (4), scramble part 1 (8), filler (1), then the low capability
        // bytes; character set (1) and status flags (2) separate them from the high ones.
        int low = versionEnd + 1 + 4 + 8 + 1;
        int high = low + 2 + 1 + 2;
        if (high + 2 > payload.length) {
            return payload;
        }
        byte[] shaped = payload.clone();
        clear(shaped, low, capabilities);
        clear(shaped, high, capabilities >>> 16);
        return shaped;
    }

    private static void clear(byte[] payload, int at, int bits) {
        payload[at] &= (byte) ~bits;
        payload[at + 1] &= (byte) ~(bits >>> 8);
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
