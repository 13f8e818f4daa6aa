package io.sluice.frontend;

/** The client closed its connection. */
final class ClientGoneException extends RuntimeException {
    static final ClientGoneException INSTANCE = new ClientGoneException();

    private ClientGoneException() {
        super("client closed the connection", null, false, false);
    }
}
