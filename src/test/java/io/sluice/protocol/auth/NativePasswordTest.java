package io.sluice.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.Hex;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.junit.jupiter.api.Test;

/**
 * mysql_native_password (page_protocol_connection_phase_authentication_methods_native_password_authentication):
 * the client answers SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))); an empty password answers nothing.
 */
class NativePasswordTest {

    /**
     * go-sql-driver/mysql auth_test.go, TestAuthFastNativePassword: password "secret", this scramble, and the
     * 20 bytes the driver writes into its handshake response.
     */
    private static final byte[] GO_SCRAMBLE = Hex.bytes("46 72 5c 5e 01 26 0b 74 3f 72 17 65 7e 67 1a 5f 51 11 18 15");
    private static final byte[] GO_ANSWER = Hex.bytes("35 b1 8c 9f fb bd 7f 35 6d fc ac 32 d3 c0 f0 a4 1a 30 cf 2d");

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The documented formula, one step at a time, with the JDK's digests only. */
    private static byte[] documentedAnswer(byte[] scramble, byte[] password) throws Exception {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        byte[] hashOfPassword = sha1.digest(password);                // SHA1(password)
        byte[] hashOfHash = sha1.digest(hashOfPassword);              // SHA1(SHA1(password)), what mysql.user stores
        sha1.update(scramble);
        sha1.update(hashOfHash);
        byte[] mix = sha1.digest();                                   // SHA1(scramble + SHA1(SHA1(password)))
        byte[] answer = new byte[20];
        for (int i = 0; i < 20; i++) {
            answer[i] = (byte) (hashOfPassword[i] ^ mix[i]);
        }
        return answer;
    }

    @Test
    void knownVectorFromGoSqlDriver() {
        assertThat(Hex.dump(NativePassword.INSTANCE.expectedResponse(GO_SCRAMBLE, utf8("secret")))).isEqualTo(Hex.dump(GO_ANSWER));
    }

    @Test
    void matchesTheDocumentedFormula() throws Exception {
        byte[] scramble = "zQg4i6oNy6=rHN/>-b)A".getBytes(StandardCharsets.US_ASCII);
        for (String password : new String[] {"secret", "p", "a much longer pass phrase with spaces", "pässwörd"}) {
            assertThat(NativePassword.INSTANCE.expectedResponse(scramble, utf8(password)))
                    .as(password)
                    .isEqualTo(documentedAnswer(scramble, utf8(password)));
        }
        assertThat(documentedAnswer(GO_SCRAMBLE, utf8("secret"))).isEqualTo(GO_ANSWER);
    }

    @Test
    void answerIs20Bytes() {
        assertThat(NativePassword.INSTANCE.expectedResponse(GO_SCRAMBLE, utf8("x"))).hasSize(20);
    }

    @Test
    void emptyPasswordAnswersNothing() {
        assertThat(NativePassword.INSTANCE.expectedResponse(GO_SCRAMBLE, new byte[0])).isEmpty();
    }

    @Test
    void verify() {
        NativePassword p = NativePassword.INSTANCE;
        assertThat(p.verify(GO_SCRAMBLE, GO_ANSWER, utf8("secret"))).isTrue();
        assertThat(p.verify(GO_SCRAMBLE, GO_ANSWER, utf8("Secret"))).isFalse();
        // the right answer to another scramble proves nothing
        assertThat(p.verify(Hex.bytes("00 72 5c 5e 01 26 0b 74 3f 72 17 65 7e 67 1a 5f 51 11 18 15"), GO_ANSWER, utf8("secret"))).isFalse();
        // a prefix of the right answer is not the answer
        assertThat(p.verify(GO_SCRAMBLE, java.util.Arrays.copyOf(GO_ANSWER, 19), utf8("secret"))).isFalse();
        assertThat(p.verify(GO_SCRAMBLE, new byte[0], utf8("secret"))).isFalse();
        // an account without password accepts only the empty answer
        assertThat(p.verify(GO_SCRAMBLE, new byte[0], new byte[0])).isTrue();
        assertThat(p.verify(GO_SCRAMBLE, GO_ANSWER, new byte[0])).isFalse();
    }

    @Test
    void name() {
        assertThat(NativePassword.INSTANCE.name()).isEqualTo("mysql_native_password").isEqualTo(NativePassword.NAME);
    }
}
