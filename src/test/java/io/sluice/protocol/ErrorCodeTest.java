package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Numbers of include/mysqld_error.h and errmsg.h (MySQL error message reference). */
class ErrorCodeTest {

    @Test
    void serverErrorNumbers() {
        assertThat(ErrorCode.ER_CON_COUNT_ERROR).isEqualTo(1040);
        assertThat(ErrorCode.ER_HANDSHAKE_ERROR).isEqualTo(1043);
        assertThat(ErrorCode.ER_ACCESS_DENIED_ERROR).isEqualTo(1045);
        assertThat(ErrorCode.ER_UNKNOWN_COM_ERROR).isEqualTo(1047);
        assertThat(ErrorCode.ER_BAD_DB_ERROR).isEqualTo(1049);
        assertThat(ErrorCode.ER_SERVER_SHUTDOWN).isEqualTo(1053);
        assertThat(ErrorCode.ER_NO_SUCH_THREAD).isEqualTo(1094);
        assertThat(ErrorCode.ER_KILL_DENIED_ERROR).isEqualTo(1095);
        assertThat(ErrorCode.ER_NET_PACKET_TOO_LARGE).isEqualTo(1153);
        assertThat(ErrorCode.ER_NET_PACKETS_OUT_OF_ORDER).isEqualTo(1156);
        assertThat(ErrorCode.ER_NET_READ_INTERRUPTED).isEqualTo(1159);
        assertThat(ErrorCode.ER_NOT_SUPPORTED_YET).isEqualTo(1235);
        assertThat(ErrorCode.ER_UNKNOWN_STMT_HANDLER).isEqualTo(1243);
        assertThat(ErrorCode.ER_NOT_SUPPORTED_AUTH_MODE).isEqualTo(1251);
        assertThat(ErrorCode.ER_QUERY_INTERRUPTED).isEqualTo(1317);
        assertThat(ErrorCode.ER_CONNECT_TO_FOREIGN_DATA_SOURCE).isEqualTo(1429);
        assertThat(ErrorCode.ER_QUERY_ON_FOREIGN_DATA_SOURCE).isEqualTo(1430);
        assertThat(ErrorCode.ER_MALFORMED_PACKET).isEqualTo(1835);
        assertThat(ErrorCode.ER_SECURE_TRANSPORT_REQUIRED).isEqualTo(3159);
    }

    @Test
    void proxyErrorNumbers() {
        assertThat(ErrorCode.PROXY_BORROW_TIMEOUT).isEqualTo(9501);
    }

    /** The mariadb CLI turns an ERR with a client library's code into "Received malformed packet". */
    @Test
    void noCodeSluiceSendsIsOneOfTheClientLibraries() throws IllegalAccessException {
        for (java.lang.reflect.Field f : ErrorCode.class.getFields()) {
            assertThat(ErrorCode.isClientLibraryCode(f.getInt(null))).as(f.getName()).isFalse();
        }
        assertThat(ErrorCode.isClientLibraryCode(2013)).as("CR_SERVER_LOST").isTrue();
        assertThat(ErrorCode.isClientLibraryCode(5001)).as("MariaDB Connector/C's CER_*").isTrue();
    }
}
