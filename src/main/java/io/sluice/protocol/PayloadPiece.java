package io.sluice.protocol;

/**
 * A part of a long payload that a {@link PacketFramer} passes on as it arrives instead of holding it whole (see
 * {@link PacketFramer#passInPieces}): the bytes after the payload's {@linkplain InboundPacket#isHead() head}, in order.
 * Each piece lies within one physical packet; the first piece of every physical packet after the first carries that
 * packet's header, so that a relay can write the packets on as the peer framed them.
 *
 * @param bytes        the piece's bytes (all of the array)
 * @param packetLength the length the header of the physical packet this piece starts declared; -1 when the piece
 *                     continues a packet an earlier piece (or the head) started
 * @param sequenceId   the sequence id of the physical packet the piece belongs to
 * @param last         whether the payload ends with this piece
 */
public record PayloadPiece(byte[] bytes, int packetLength, int sequenceId, boolean last) {
    public static final int CONTINUES_PACKET = -1;

    public int length() {
        return bytes.length;
    }

    public boolean startsPacket() {
        return packetLength != CONTINUES_PACKET;
    }
}
