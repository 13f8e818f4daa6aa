package io.sluice.protocol;

/** Command bytes (the first payload byte of a client command packet), named as MySQL names them. */
public final class CommandType {
    public static final int COM_SLEEP = 0x00;
    public static final int COM_QUIT = 0x01;
    public static final int COM_INIT_DB = 0x02;
    public static final int COM_QUERY = 0x03;
    public static final int COM_FIELD_LIST = 0x04;
    public static final int COM_CREATE_DB = 0x05;
    public static final int COM_DROP_DB = 0x06;
    public static final int COM_REFRESH = 0x07;
    public static final int COM_SHUTDOWN = 0x08;
    public static final int COM_STATISTICS = 0x09;
    public static final int COM_PROCESS_INFO = 0x0a;
    public static final int COM_CONNECT = 0x0b;
    public static final int COM_PROCESS_KILL = 0x0c;
    public static final int COM_DEBUG = 0x0d;
    public static final int COM_PING = 0x0e;
    public static final int COM_TIME = 0x0f;
    public static final int COM_DELAYED_INSERT = 0x10;
    public static final int COM_CHANGE_USER = 0x11;
    public static final int COM_BINLOG_DUMP = 0x12;
    public static final int COM_TABLE_DUMP = 0x13;
    public static final int COM_CONNECT_OUT = 0x14;
    public static final int COM_REGISTER_SLAVE = 0x15;
    public static final int COM_STMT_PREPARE = 0x16;
    public static final int COM_STMT_EXECUTE = 0x17;
    public static final int COM_STMT_SEND_LONG_DATA = 0x18;
    public static final int COM_STMT_CLOSE = 0x19;
    public static final int COM_STMT_RESET = 0x1a;
    public static final int COM_SET_OPTION = 0x1b;
    public static final int COM_STMT_FETCH = 0x1c;
    public static final int COM_DAEMON = 0x1d;
    public static final int COM_BINLOG_DUMP_GTID = 0x1e;
    public static final int COM_RESET_CONNECTION = 0x1f;

    /** COM_SET_OPTION arguments. */
    public static final int MYSQL_OPTION_MULTI_STATEMENTS_ON = 0;
    public static final int MYSQL_OPTION_MULTI_STATEMENTS_OFF = 1;

    private static final String[] NAMES = {
        "sleep", "quit", "init_db", "query", "field_list", "create_db", "drop_db", "refresh", "shutdown",
        "statistics", "process_info", "connect", "process_kill", "debug", "ping", "time", "delayed_insert",
        "change_user", "binlog_dump", "table_dump", "connect_out", "register_slave", "stmt_prepare",
        "stmt_execute", "stmt_send_long_data", "stmt_close", "stmt_reset", "set_option", "stmt_fetch",
        "daemon", "binlog_dump_gtid", "reset_connection"
    };

    private static final String UNKNOWN = "unknown";

    private CommandType() {
    }

    /** Every name {@link #name} gives, "unknown" included: the whole set of metric labels for commands. */
    public static java.util.List<String> names() {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(NAMES));
        all.add(UNKNOWN);
        return java.util.List.copyOf(all);
    }

    /** A bounded, lower-case name for logs and metric labels; unknown bytes share one name. */
    public static String name(int command) {
        return command >= 0 && command < NAMES.length ? NAMES[command] : UNKNOWN;
    }
}
