package io.sluice.relay;

import io.sluice.pool.BackendUnavailableException;
import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.ErrorCode;

/** The errors Sluice itself answers with, worded like the server's where the server has an equivalent. */
public final class Errors {
    private static final int ER_QUERY_INTERRUPTED = 1317;
    /** MariaDB's error for a connection killed under the client. */
    private static final int ER_CONNECTION_KILLED = 1927;

    private Errors() {
    }

    public static ErrPacket tooManyConnections(int max) {
        return new ErrPacket(ErrorCode.ER_CON_COUNT_ERROR, "08004",
                "Too many connections: Sluice accepts " + max + " client connections at most (sluice.max-client-connections)");
    }

    public static ErrPacket accessDenied(String user, String host, boolean usingPassword) {
        return new ErrPacket(ErrorCode.ER_ACCESS_DENIED_ERROR, "28000",
                "Access denied for user '" + user + "'@'" + host + "' (using password: " + (usingPassword ? "YES" : "NO") + ")");
    }

    public static ErrPacket badHandshake(String why) {
        return new ErrPacket(ErrorCode.ER_HANDSHAKE_ERROR, "08S01", "Bad handshake: " + why);
    }

    public static ErrPacket unknownCommand(int command) {
        return new ErrPacket(ErrorCode.ER_UNKNOWN_COM_ERROR, "08S01", "Unknown command 0x" + Integer.toHexString(command));
    }

    public static ErrPacket notSupported(String what) {
        return new ErrPacket(ErrorCode.ER_NOT_SUPPORTED_YET, "42000", "This version of Sluice doesn't yet support '" + what + "'");
    }

    /** @param property the setting that holds the limit, for the operator who reads the client's error */
    public static ErrPacket packetTooLarge(long limit, String property) {
        return new ErrPacket(ErrorCode.ER_NET_PACKET_TOO_LARGE, "08S01",
                "Got a packet bigger than 'max_allowed_packet' bytes (" + property + " = " + limit + ")");
    }

    public static ErrPacket outOfOrder(int got, int expected) {
        return new ErrPacket(ErrorCode.ER_NET_PACKETS_OUT_OF_ORDER, "08S01",
                "Got packets out of order (sequence id " + got + ", expected " + expected + ")");
    }

    public static ErrPacket malformed(String why) {
        return new ErrPacket(ErrorCode.ER_MALFORMED_PACKET, "HY000", "Malformed communication packet: " + why);
    }

    public static ErrPacket handshakeTimeout(long millis) {
        return new ErrPacket(ErrorCode.ER_HANDSHAKE_ERROR, "08S01", "Bad handshake: no response within " + millis + " ms");
    }

    public static ErrPacket authPluginUnsupported(String plugin) {
        return new ErrPacket(ErrorCode.ER_NOT_SUPPORTED_AUTH_MODE, "08004",
                "Client does not support authentication protocol requested by server (" + plugin + "); consider upgrading MySQL client");
    }

    static ErrPacket borrowTimeout(String message) {
        return new ErrPacket(ErrorCode.PROXY_BORROW_TIMEOUT, "HY000", message);
    }

    /**
     * No backend connection could be made: the database's own refusal (its code and SQLSTATE, e.g. 1045) when it
     * refused, else that it could not be reached. The message says which; the pool words it.
     */
    static ErrPacket backendUnavailable(BackendUnavailableException e) {
        if (e.vendorCode() == 0 || ErrorCode.isClientLibraryCode(e.vendorCode())) {
            return new ErrPacket(ErrorCode.ER_CONNECT_TO_FOREIGN_DATA_SOURCE, "HY000", e.getMessage());
        }
        return new ErrPacket(e.vendorCode(), e.sqlState() == null ? "HY000" : e.sqlState(), e.getMessage());
    }

    /** The backend went away while it ran the client's command: whether the command took effect is unknown. */
    static ErrPacket backendLost(String message) {
        return new ErrPacket(ErrorCode.ER_QUERY_ON_FOREIGN_DATA_SOURCE, "HY000", message + ": the database restarted, "
                + "failed over, closed the connection, or was silent longer than sluice.backend.socket-timeout; whether "
                + "the statement took effect is unknown");
    }

    /** The refusal the backend's own kind of server gives a client that did not enable CLIENT_LOCAL_FILES. */
    static ErrPacket localInfileDisabled(String serverVersion) {
        if (serverVersion.contains("MariaDB")) {
            return new ErrPacket(4166, "HY000",
                    "The used command is not allowed because the MariaDB server or client has disabled the local infile capability");
        }
        return new ErrPacket(3948, "42000", "Loading local data is disabled; this must be enabled on both the client and server sides");
    }

    public static ErrPacket insecureTransport() {
        return new ErrPacket(ErrorCode.ER_SECURE_TRANSPORT_REQUIRED, "HY000",
                "Connections using insecure transport are prohibited while sluice.tls.mode=required");
    }

    public static ErrPacket serverShutdown() {
        return new ErrPacket(ErrorCode.ER_SERVER_SHUTDOWN, "08S01", "Server shutdown in progress: Sluice is stopping and takes "
                + "no new connections; clients inside a transaction have sluice.shutdown.grace to finish it. Connect again "
                + "once it has restarted");
    }

    /** As MySQL 8.0.24+ tells a client it disconnects for inactivity. */
    public static ErrPacket idleTimeout() {
        return new ErrPacket(4031, "HY000", "The client was disconnected by the server because of inactivity (sluice.client.idle-timeout)");
    }

    public static ErrPacket noSuchThread(long id) {
        return new ErrPacket(ErrorCode.ER_NO_SUCH_THREAD, "HY000", "Unknown thread id: " + id);
    }

    public static ErrPacket notOwner(long id) {
        return new ErrPacket(ErrorCode.ER_KILL_DENIED_ERROR, "HY000", "You are not owner of thread " + id);
    }

    /** The statement that makes a backend raise {@link #queryInterrupted()} itself. */
    public static final String QUERY_INTERRUPTED_SIGNAL = "SIGNAL SQLSTATE '70100' SET MYSQL_ERRNO = " + ER_QUERY_INTERRUPTED
            + ", MESSAGE_TEXT = 'Query execution was interrupted'";

    /** What a server answers a KILL QUERY of the session's own id: the KILL interrupted itself. */
    static ErrPacket queryInterrupted() {
        return new ErrPacket(ER_QUERY_INTERRUPTED, "70100", "Query execution was interrupted");
    }

    /** What a server answers a KILL of the session's own connection, before it closes it. */
    public static ErrPacket ownConnectionKilled(String serverVersion) {
        return serverVersion.contains("MariaDB") ? new ErrPacket(ER_CONNECTION_KILLED, "70100", "Connection was killed") : queryInterrupted();
    }

    public static ErrPacket unsupportedKill() {
        return new ErrPacket(ErrorCode.ER_NOT_SUPPORTED_YET, "42000",
                "Sluice supports KILL [CONNECTION | QUERY] <id>, alone in its statement, with an id from CONNECTION_ID() of a Sluice session");
    }
}
