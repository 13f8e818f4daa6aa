package io.sluice.backend;

/**
 * A backend connection's socket could not change hands between Connector/J and an event loop ({@link ChannelLoan}),
 * or was used by the side that does not hold it. Nothing was read or written by the refused step.
 */
public final class LoanException extends IllegalStateException {
    public LoanException(String message) {
        super(message);
    }
}
