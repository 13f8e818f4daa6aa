package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Values from include/mysql_com.h (group_cs_capabilities_flags), written as the documentation lists them. */
class CapabilityFlagsTest {

    @Test
    void valuesMatchMysqlComH() {
        assertThat(CapabilityFlags.CLIENT_LONG_PASSWORD).isEqualTo(0x00000001);
        assertThat(CapabilityFlags.CLIENT_FOUND_ROWS).isEqualTo(0x00000002);
        assertThat(CapabilityFlags.CLIENT_LONG_FLAG).isEqualTo(0x00000004);
        assertThat(CapabilityFlags.CLIENT_CONNECT_WITH_DB).isEqualTo(0x00000008);
        assertThat(CapabilityFlags.CLIENT_NO_SCHEMA).isEqualTo(0x00000010);
        assertThat(CapabilityFlags.CLIENT_COMPRESS).isEqualTo(0x00000020);
        assertThat(CapabilityFlags.CLIENT_ODBC).isEqualTo(0x00000040);
        assertThat(CapabilityFlags.CLIENT_LOCAL_FILES).isEqualTo(0x00000080);
        assertThat(CapabilityFlags.CLIENT_IGNORE_SPACE).isEqualTo(0x00000100);
        assertThat(CapabilityFlags.CLIENT_PROTOCOL_41).isEqualTo(0x00000200);
        assertThat(CapabilityFlags.CLIENT_INTERACTIVE).isEqualTo(0x00000400);
        assertThat(CapabilityFlags.CLIENT_SSL).isEqualTo(0x00000800);
        assertThat(CapabilityFlags.CLIENT_IGNORE_SIGPIPE).isEqualTo(0x00001000);
        assertThat(CapabilityFlags.CLIENT_TRANSACTIONS).isEqualTo(0x00002000);
        assertThat(CapabilityFlags.CLIENT_RESERVED).isEqualTo(0x00004000);
        assertThat(CapabilityFlags.CLIENT_SECURE_CONNECTION).isEqualTo(0x00008000);
        assertThat(CapabilityFlags.CLIENT_MULTI_STATEMENTS).isEqualTo(0x00010000);
        assertThat(CapabilityFlags.CLIENT_MULTI_RESULTS).isEqualTo(0x00020000);
        assertThat(CapabilityFlags.CLIENT_PS_MULTI_RESULTS).isEqualTo(0x00040000);
        assertThat(CapabilityFlags.CLIENT_PLUGIN_AUTH).isEqualTo(0x00080000);
        assertThat(CapabilityFlags.CLIENT_CONNECT_ATTRS).isEqualTo(0x00100000);
        assertThat(CapabilityFlags.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA).isEqualTo(0x00200000);
        assertThat(CapabilityFlags.CLIENT_CAN_HANDLE_EXPIRED_PASSWORDS).isEqualTo(0x00400000);
        assertThat(CapabilityFlags.CLIENT_SESSION_TRACK).isEqualTo(0x00800000);
        assertThat(CapabilityFlags.CLIENT_DEPRECATE_EOF).isEqualTo(0x01000000);
        assertThat(CapabilityFlags.CLIENT_OPTIONAL_RESULTSET_METADATA).isEqualTo(0x02000000);
        assertThat(CapabilityFlags.CLIENT_ZSTD_COMPRESSION_ALGORITHM).isEqualTo(0x04000000);
        assertThat(CapabilityFlags.CLIENT_QUERY_ATTRIBUTES).isEqualTo(0x08000000);
    }

    @Test
    void has() {
        // the flags of the documentation's 5.6.6 handshake response: 0x001ea285
        int caps = 0x001ea285;
        assertThat(CapabilityFlags.has(caps, CapabilityFlags.CLIENT_PROTOCOL_41)).isTrue();
        assertThat(CapabilityFlags.has(caps, CapabilityFlags.CLIENT_CONNECT_ATTRS)).isTrue();
        assertThat(CapabilityFlags.has(caps, CapabilityFlags.CLIENT_CONNECT_WITH_DB)).isFalse();
        assertThat(CapabilityFlags.has(caps, CapabilityFlags.CLIENT_SSL)).isFalse();
        // a flag in the top bit of the int still reads as set
        assertThat(CapabilityFlags.has(0x80000000, 0x80000000)).isTrue();
        assertThat(CapabilityFlags.has(0, CapabilityFlags.CLIENT_LONG_PASSWORD)).isFalse();
    }
}
