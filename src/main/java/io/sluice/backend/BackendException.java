package io.sluice.backend;

/** A backend connection failed underneath a command. The message is safe to show a client. */
public final class BackendException extends RuntimeException {

    public enum Kind {
        /** The connection broke: the command may or may not have reached the server. */
        CONNECTION_LOST,
        /** Nothing was sent: the packet exceeds the backend's max_allowed_packet. */
        PACKET_TOO_BIG,
        /** The backend lacks something Sluice needs. */
        UNSUPPORTED
    }

    private final Kind kind;

    public BackendException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
