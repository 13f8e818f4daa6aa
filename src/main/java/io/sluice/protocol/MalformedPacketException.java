package io.sluice.protocol;

/** A peer sent bytes that do not form the packet the protocol expects at this point. */
public final class MalformedPacketException extends RuntimeException {
    public MalformedPacketException(String message) {
        super(message, null, false, false);
    }
}
