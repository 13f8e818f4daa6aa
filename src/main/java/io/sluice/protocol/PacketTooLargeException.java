package io.sluice.protocol;

/** A peer sent a packet larger than Sluice accepts; none of it was buffered. */
public final class PacketTooLargeException extends RuntimeException {
    private final long declared;
    private final int limit;
    private final int lastSequenceId;

    /**
     * @param lastSequenceId the sequence id of the last physical packet read: the error answering the packet
     *                       carries the next one, as a server's would
     */
    public PacketTooLargeException(long declared, int limit, int lastSequenceId) {
        super("packet of at least " + declared + " bytes exceeds the limit of " + limit + " bytes", null, false, false);
        this.declared = declared;
        this.limit = limit;
        this.lastSequenceId = lastSequenceId;
    }

    /** The sequence id the answer to the packet carries: the one after the packet's last physical packet. */
    public int answerSequenceId() {
        return (lastSequenceId + 1) & 0xff;
    }

    public long declared() {
        return declared;
    }

    public int limit() {
        return limit;
    }
}
