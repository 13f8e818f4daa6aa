package io.sluice.protocol;

/** Error codes Sluice itself sends, named as MySQL names them (mysqld_error.h, errmsg.h). */
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
    public static final int ER_MALFORMED_PACKET = 1835;
    public static final int ER_SECURE_TRANSPORT_REQUIRED = 3159;
    /** Client-library code for a connection lost mid-query; Sluice sends it when the backend goes away. */
    public static final int CR_SERVER_LOST = 2013;
    /** Amazon RDS Proxy's code for "timed out waiting to acquire a database connection"; Sluice uses it alike. */
    public static final int PROXY_BORROW_TIMEOUT = 9501;

    private ErrorCode() {
    }
}
