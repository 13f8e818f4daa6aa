package io.sluice.protocol;

/**
 * Error codes Sluice itself sends, named as MySQL names them (mysqld_error.h). Only server codes: a code of the client
 * libraries' own (see {@link #isClientLibraryCode}) in an ERR from a server is what MariaDB Connector/C 3.3.9+, and
 * so the mariadb command-line client, reports as "ERROR 2027 (HY000): Received malformed packet" (CONC-648).
 */
public final class ErrorCode {
    public static final int ER_CON_COUNT_ERROR = 1040;
    public static final int ER_HANDSHAKE_ERROR = 1043;
    public static final int ER_ACCESS_DENIED_ERROR = 1045;
    public static final int ER_UNKNOWN_COM_ERROR = 1047;
    public static final int ER_BAD_DB_ERROR = 1049;
    public static final int ER_SERVER_SHUTDOWN = 1053;
    public static final int ER_NO_SUCH_THREAD = 1094;
    public static final int ER_KILL_DENIED_ERROR = 1095;
    public static final int ER_NET_PACKET_TOO_LARGE = 1153;
    public static final int ER_NET_READ_INTERRUPTED = 1159;
    public static final int ER_NET_PACKETS_OUT_OF_ORDER = 1156;
    public static final int ER_NOT_SUPPORTED_AUTH_MODE = 1251;
    public static final int ER_UNKNOWN_STMT_HANDLER = 1243;
    public static final int ER_NOT_SUPPORTED_YET = 1235;
    public static final int ER_QUERY_INTERRUPTED = 1317;
    /** A server's answer when it cannot connect to a remote data source; Sluice's when it cannot reach its backend. */
    public static final int ER_CONNECT_TO_FOREIGN_DATA_SOURCE = 1429;
    /** A server's answer when a remote data source fails during a query; Sluice's when its backend goes away mid-command. */
    public static final int ER_QUERY_ON_FOREIGN_DATA_SOURCE = 1430;
    public static final int ER_MALFORMED_PACKET = 1835;
    public static final int ER_SECURE_TRANSPORT_REQUIRED = 3159;
    /** Amazon RDS Proxy's code for "timed out waiting to acquire a database connection"; Sluice uses it alike. */
    public static final int PROXY_BORROW_TIMEOUT = 9501;

    private ErrorCode() {
    }

    /** MySQL's client library codes (CR_*, errmsg.h) and MariaDB Connector/C's own (CER_*): never sent by a server. */
    public static boolean isClientLibraryCode(int code) {
        return code >= 2000 && code <= 2999 || code >= 5000 && code <= 5999;
    }
}
