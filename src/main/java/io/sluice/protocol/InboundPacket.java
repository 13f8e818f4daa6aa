package io.sluice.protocol;

/**
 * One logical packet from a peer: the payload reassembled from however many physical packets
 * carried it, the sequence id of the first of them (the one the protocol's ordering rules judge)
 * and of the last (the answer continues from it).
 *
 * <p>A long payload that the framer passes on in pieces ({@link PacketFramer#passInPieces}) arrives as its head, this
 * packet holding the payload's first bytes, then {@link PayloadPiece}s: {@code firstPacketLength} is then the length
 * its first physical packet declared, of which {@code payload} is the start.
 *
 * @param firstPacketLength {@link #WHOLE} for a whole payload; for a head, the length of its first physical packet
 */
public record InboundPacket(byte[] payload, int sequenceId, int lastSequenceId, int firstPacketLength) {
    public static final int WHOLE = -1;

    public InboundPacket(byte[] payload, int sequenceId, int lastSequenceId) {
        this(payload, sequenceId, lastSequenceId, WHOLE);
    }

    public int length() {
        return payload.length;
    }

    /** Whether this is only the start of the payload, the rest of which follows in {@link PayloadPiece}s. */
    public boolean isHead() {
        return firstPacketLength != WHOLE;
    }

    /** The command byte of a command-phase packet; -1 for an empty payload. */
    public int command() {
        return payload.length == 0 ? -1 : payload[0] & 0xff;
    }

    /** The sequence id the answer to this packet starts with. */
    public int nextSequenceId() {
        return (lastSequenceId + 1) & 0xff;
    }
}
