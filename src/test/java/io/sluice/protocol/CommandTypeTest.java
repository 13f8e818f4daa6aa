package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Command bytes of include/my_command.h (enum_server_command) and their log names. */
class CommandTypeTest {

    @Test
    void valuesMatchMyCommandH() {
        assertThat(CommandType.COM_SLEEP).isEqualTo(0x00);
        assertThat(CommandType.COM_QUIT).isEqualTo(0x01);
        assertThat(CommandType.COM_INIT_DB).isEqualTo(0x02);
        assertThat(CommandType.COM_QUERY).isEqualTo(0x03);
        assertThat(CommandType.COM_FIELD_LIST).isEqualTo(0x04);
        assertThat(CommandType.COM_CREATE_DB).isEqualTo(0x05);
        assertThat(CommandType.COM_DROP_DB).isEqualTo(0x06);
        assertThat(CommandType.COM_REFRESH).isEqualTo(0x07);
        assertThat(CommandType.COM_SHUTDOWN).isEqualTo(0x08);
        assertThat(CommandType.COM_STATISTICS).isEqualTo(0x09);
        assertThat(CommandType.COM_PROCESS_INFO).isEqualTo(0x0a);
        assertThat(CommandType.COM_CONNECT).isEqualTo(0x0b);
        assertThat(CommandType.COM_PROCESS_KILL).isEqualTo(0x0c);
        assertThat(CommandType.COM_DEBUG).isEqualTo(0x0d);
        assertThat(CommandType.COM_PING).isEqualTo(0x0e);
        assertThat(CommandType.COM_TIME).isEqualTo(0x0f);
        assertThat(CommandType.COM_DELAYED_INSERT).isEqualTo(0x10);
        assertThat(CommandType.COM_CHANGE_USER).isEqualTo(0x11);
        assertThat(CommandType.COM_BINLOG_DUMP).isEqualTo(0x12);
        assertThat(CommandType.COM_TABLE_DUMP).isEqualTo(0x13);
        assertThat(CommandType.COM_CONNECT_OUT).isEqualTo(0x14);
        assertThat(CommandType.COM_REGISTER_SLAVE).isEqualTo(0x15);
        assertThat(CommandType.COM_STMT_PREPARE).isEqualTo(0x16);
        assertThat(CommandType.COM_STMT_EXECUTE).isEqualTo(0x17);
        assertThat(CommandType.COM_STMT_SEND_LONG_DATA).isEqualTo(0x18);
        assertThat(CommandType.COM_STMT_CLOSE).isEqualTo(0x19);
        assertThat(CommandType.COM_STMT_RESET).isEqualTo(0x1a);
        assertThat(CommandType.COM_SET_OPTION).isEqualTo(0x1b);
        assertThat(CommandType.COM_STMT_FETCH).isEqualTo(0x1c);
        assertThat(CommandType.COM_DAEMON).isEqualTo(0x1d);
        assertThat(CommandType.COM_BINLOG_DUMP_GTID).isEqualTo(0x1e);
        assertThat(CommandType.COM_RESET_CONNECTION).isEqualTo(0x1f);
        assertThat(CommandType.MYSQL_OPTION_MULTI_STATEMENTS_ON).isZero();
        assertThat(CommandType.MYSQL_OPTION_MULTI_STATEMENTS_OFF).isEqualTo(1);
    }

    @Test
    void namesOfKnownCommands() {
        assertThat(CommandType.name(CommandType.COM_SLEEP)).isEqualTo("sleep");
        assertThat(CommandType.name(CommandType.COM_QUIT)).isEqualTo("quit");
        assertThat(CommandType.name(CommandType.COM_QUERY)).isEqualTo("query");
        assertThat(CommandType.name(CommandType.COM_FIELD_LIST)).isEqualTo("field_list");
        assertThat(CommandType.name(CommandType.COM_STATISTICS)).isEqualTo("statistics");
        assertThat(CommandType.name(CommandType.COM_PING)).isEqualTo("ping");
        assertThat(CommandType.name(CommandType.COM_CHANGE_USER)).isEqualTo("change_user");
        assertThat(CommandType.name(CommandType.COM_STMT_PREPARE)).isEqualTo("stmt_prepare");
        assertThat(CommandType.name(CommandType.COM_STMT_EXECUTE)).isEqualTo("stmt_execute");
        assertThat(CommandType.name(CommandType.COM_STMT_SEND_LONG_DATA)).isEqualTo("stmt_send_long_data");
        assertThat(CommandType.name(CommandType.COM_STMT_CLOSE)).isEqualTo("stmt_close");
        assertThat(CommandType.name(CommandType.COM_STMT_RESET)).isEqualTo("stmt_reset");
        assertThat(CommandType.name(CommandType.COM_SET_OPTION)).isEqualTo("set_option");
        assertThat(CommandType.name(CommandType.COM_STMT_FETCH)).isEqualTo("stmt_fetch");
        assertThat(CommandType.name(CommandType.COM_BINLOG_DUMP_GTID)).isEqualTo("binlog_dump_gtid");
        assertThat(CommandType.name(CommandType.COM_RESET_CONNECTION)).isEqualTo("reset_connection");
    }

    @Test
    void everyCommandHasADistinctLowerCaseName() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int c = CommandType.COM_SLEEP; c <= CommandType.COM_RESET_CONNECTION; c++) {
            String name = CommandType.name(c);
            assertThat(name).isNotEqualTo("unknown").matches("[a-z_0-9]+");
            assertThat(names.add(name)).as("name %s used twice", name).isTrue();
        }
    }

    @Test
    void unknownCommandsShareOneName() {
        // 0x20 is COM_CLONE in MySQL 8, not one Sluice names; 0xff and -1 (an empty packet) are no command at all
        assertThat(CommandType.name(0x20)).isEqualTo("unknown");
        assertThat(CommandType.name(0xfe)).isEqualTo("unknown");
        assertThat(CommandType.name(0xff)).isEqualTo("unknown");
        assertThat(CommandType.name(-1)).isEqualTo("unknown");
        assertThat(CommandType.name(Integer.MAX_VALUE)).isEqualTo("unknown");
        assertThat(CommandType.name(Integer.MIN_VALUE)).isEqualTo("unknown");
    }
}
