package io.sluice.protocol;

/** A peer announced a packet larger than Sluice accepts; raised before any of it is buffered. */
public final class PacketTooLargeException extends RuntimeException {
    private final long declared;
    private final int limit;

    public PacketTooLargeException(long declared, int limit) {
        super("packet of at least " + declared + " bytes exceeds the limit of " + limit + " bytes", null, false, false);
        this.declared = declared;
        this.limit = limit;
    }

    public long declared() {
        return declared;
    }

    public int limit() {
        return limit;
    }
}
