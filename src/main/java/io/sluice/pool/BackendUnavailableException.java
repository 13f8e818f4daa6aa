package io.sluice.pool;

/** A backend connection could not be made. The message is safe to show a client: it never carries a password. */
public final class BackendUnavailableException extends Exception {
    private final int vendorCode;
    private final String sqlState;

    public BackendUnavailableException(String message, int vendorCode, String sqlState, Throwable cause) {
        super(message, cause);
        this.vendorCode = vendorCode;
        this.sqlState = sqlState;
    }

    /** The server's error code when the server refused (e.g. 1045), 0 when it could not be reached. */
    public int vendorCode() {
        return vendorCode;
    }

    public String sqlState() {
        return sqlState;
    }
}
