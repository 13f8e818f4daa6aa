package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** SERVER_STATUS_flags_enum of include/mysql_com.h. */
class ServerStatusTest {

    @Test
    void valuesMatchMysqlComH() {
        assertThat(ServerStatus.SERVER_STATUS_IN_TRANS).isEqualTo(0x0001);
        assertThat(ServerStatus.SERVER_STATUS_AUTOCOMMIT).isEqualTo(0x0002);
        assertThat(ServerStatus.SERVER_MORE_RESULTS_EXISTS).isEqualTo(0x0008);
        assertThat(ServerStatus.SERVER_QUERY_NO_GOOD_INDEX_USED).isEqualTo(0x0010);
        assertThat(ServerStatus.SERVER_QUERY_NO_INDEX_USED).isEqualTo(0x0020);
        assertThat(ServerStatus.SERVER_STATUS_CURSOR_EXISTS).isEqualTo(0x0040);
        assertThat(ServerStatus.SERVER_STATUS_LAST_ROW_SENT).isEqualTo(0x0080);
        assertThat(ServerStatus.SERVER_STATUS_DB_DROPPED).isEqualTo(0x0100);
        assertThat(ServerStatus.SERVER_STATUS_NO_BACKSLASH_ESCAPES).isEqualTo(0x0200);
        assertThat(ServerStatus.SERVER_STATUS_METADATA_CHANGED).isEqualTo(0x0400);
        assertThat(ServerStatus.SERVER_QUERY_WAS_SLOW).isEqualTo(0x0800);
        assertThat(ServerStatus.SERVER_PS_OUT_PARAMS).isEqualTo(0x1000);
        assertThat(ServerStatus.SERVER_STATUS_IN_TRANS_READONLY).isEqualTo(0x2000);
        assertThat(ServerStatus.SERVER_SESSION_STATE_CHANGED).isEqualTo(0x4000);
    }
}
