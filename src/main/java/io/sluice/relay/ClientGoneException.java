package io.sluice.relay;

/** The client closed its connection. */
public final class ClientGoneException extends RuntimeException {
    public static final ClientGoneException INSTANCE = new ClientGoneException();

    private ClientGoneException() {
        super("client closed the connection", null, false, false);
    }
}
