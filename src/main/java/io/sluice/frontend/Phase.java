package io.sluice.frontend;

/** Where a client session is in its life; {@link ClientSession#phase(Phase)} is the one place it changes. */
enum Phase {
    /** Connected; the server handshake is sent and the client's response awaited. */
    HANDSHAKE,
    /** Verifying the client's credentials, possibly over an auth switch. */
    AUTHENTICATING,
    /** Authenticated: commands are read and served one at a time. */
    COMMAND,
    /** Gone: the socket is closed and any backend given back. */
    CLOSED
}
