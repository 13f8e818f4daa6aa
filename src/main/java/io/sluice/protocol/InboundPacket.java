package io.sluice.protocol;

/**
 * One logical packet from a peer: the payload reassembled from however many physical packets
 * carried it, the sequence id of the first of them (the one the protocol's ordering rules judge)
 * and of the last (the answer continues from it).
 */
public record InboundPacket(byte[] payload, int sequenceId, int lastSequenceId) {
    public int length() {
        return payload.length;
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
