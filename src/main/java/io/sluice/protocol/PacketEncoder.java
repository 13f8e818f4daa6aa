package io.sluice.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Writes a logical payload as physical packets: payloads of 0xffffff bytes or more are split,
 * and a payload whose length is an exact multiple of 0xffffff ends with an empty packet, as the protocol requires.
 */
public final class PacketEncoder {
    private PacketEncoder() {
    }

    /** Writes the payload with sequence ids starting at {@code sequenceId}; returns the next sequence id. */
    public static int write(ByteBuf out, byte[] payload, int offset, int length, int sequenceId) {
        int seq = sequenceId;
        int pos = offset;
        int left = length;
        while (true) {
            int chunk = Math.min(left, PacketFramer.MAX_PHYSICAL_PAYLOAD);
            out.writeMediumLE(chunk);
            out.writeByte(seq);
            out.writeBytes(payload, pos, chunk);
            seq = (seq + 1) & 0xff;
            pos += chunk;
            left -= chunk;
            if (chunk < PacketFramer.MAX_PHYSICAL_PAYLOAD) {
                return seq;
            }
        }
    }

    public static int write(ByteBuf out, byte[] payload, int sequenceId) {
        return write(out, payload, 0, payload.length, sequenceId);
    }
}
