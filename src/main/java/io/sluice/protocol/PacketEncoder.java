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
            seq = writePart(out, payload, pos, chunk, seq);
            pos += chunk;
            left -= chunk;
            if (chunk < PacketFramer.MAX_PHYSICAL_PAYLOAD) {
                return seq;
            }
        }
    }

    /**
     * Writes one physical packet: a whole payload shorter than 0xffffff bytes, or one part of a longer payload
     * written part by part (each 0xffffff bytes but the last, which is shorter and may be empty). Returns the next
     * sequence id.
     */
    public static int writePart(ByteBuf out, byte[] payload, int offset, int length, int sequenceId) {
        int next = writeHeader(out, length, sequenceId);
        out.writeBytes(payload, offset, length);
        return next;
    }

    /** Writes the header of one physical packet of {@code length} bytes, which the caller writes after it. Returns the next sequence id. */
    public static int writeHeader(ByteBuf out, int length, int sequenceId) {
        if (length < 0 || length > PacketFramer.MAX_PHYSICAL_PAYLOAD) {
            throw new IllegalArgumentException("a packet holds 0 to " + PacketFramer.MAX_PHYSICAL_PAYLOAD + " bytes, not " + length);
        }
        out.writeMediumLE(length);
        out.writeByte(sequenceId);
        return (sequenceId + 1) & 0xff;
    }

    public static int write(ByteBuf out, byte[] payload, int sequenceId) {
        return write(out, payload, 0, payload.length, sequenceId);
    }
}
