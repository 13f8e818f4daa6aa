package io.sluice.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Protocol::AuthMoreData (page_protocol_connection_phase_packets_protocol_auth_more_data): int<1> 0x01, then
 * string<EOF> data. caching_sha2_password (page_caching_sha2_authentication_exchanges) uses it for
 * fast_auth_success (0x03) and perform_full_authentication (0x04).
 */
class AuthMoreDataTest {

    @Test
    void fastAuthSuccess() {
        // The server side of go-sql-driver's TestAuthFastCachingSHA256PasswordCached: "2, 0, 0, 2, 1, 3"
        // is a 2-byte packet, sequence id 2, payload 01 03.
        assertThat(Hex.dump(AuthMoreData.encode(new byte[] {AuthMoreData.FAST_AUTH_SUCCESS}))).isEqualTo("01 03");
    }

    @Test
    void performFullAuthentication() {
        assertThat(Hex.dump(AuthMoreData.encode(new byte[] {AuthMoreData.PERFORM_FULL_AUTHENTICATION}))).isEqualTo("01 04");
    }

    @Test
    void arbitraryDataIsCopiedAfterTheTag() {
        // e.g. the start of an RSA public key: 01 "-----BEGIN"
        byte[] data = Hex.bytes("2d 2d 2d 2d 2d 42 45 47 49 4e");
        assertThat(Hex.dump(AuthMoreData.encode(data))).isEqualTo("01 2d 2d 2d 2d 2d 42 45 47 49 4e");
        assertThat(Hex.dump(AuthMoreData.encode(new byte[0]))).isEqualTo("01");
    }

    @Test
    void constantsAreTheDocumentedValues() {
        assertThat(AuthMoreData.HEADER).isEqualTo(0x01);
        assertThat(AuthMoreData.FAST_AUTH_SUCCESS).isEqualTo(0x03);
        assertThat(AuthMoreData.PERFORM_FULL_AUTHENTICATION).isEqualTo(0x04);
    }
}
