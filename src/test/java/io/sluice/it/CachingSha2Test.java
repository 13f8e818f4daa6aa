package io.sluice.it;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.sluice.protocol.ErrorCode;
import io.sluice.protocol.HandshakeResponse;
import io.sluice.protocol.auth.CachingSha2Password;
import io.sluice.testing.RawClient;
import io.sluice.testing.SluiceTestResource;
import io.sluice.testing.TestDatabase;
import io.sluice.testing.TlsProfile;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

import static io.sluice.testing.Sql.one;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** caching_sha2_password: the fast path, and full authentication over TLS or with RSA when the fast path fails. */
@QuarkusTest
@TestProfile(TlsProfile.CachingSha2.class)
class CachingSha2Test {
    static final String PW = TestDatabase.APP_PASSWORD;

    static int port() {
        return SluiceTestResource.port();
    }

    private static byte[] handshakeResponse(RawClient c, byte[] auth) {
        return handshakeResponse(TestDatabase.APP_USER, auth);
    }

    private static byte[] handshakeResponse(String user, byte[] auth) {
        return new HandshakeResponse(RawClient.DEFAULT_CAPS, 1 << 24, 45, user, auth, "app",
                CachingSha2Password.NAME, Map.of()).encode();
    }

    @Test
    void cachingSha2FullAuthenticationOverTls() throws Exception {
        try (RawClient c = new RawClient(port())) {
            c.readHandshake();
            c.startTls(RawClient.DEFAULT_CAPS);
            // A scramble that does not verify: the server asks for the password itself.
            c.write(2, handshakeResponse(c, new byte[32]));
            RawClient.Packet more = c.read();
            assertThat(more.payload()).containsExactly(0x01, 0x04);
            byte[] password = Arrays.copyOf(PW.getBytes(StandardCharsets.UTF_8), PW.length() + 1);
            c.write(more.sequenceId() + 1, password);
            assertThat(c.read().isOk()).isTrue();
            assertThat(c.query("SELECT 1").isErr()).isFalse();
        }
    }

    private static RawClient.Packet fullAuthenticationWithRsa(String password) throws Exception {
        return fullAuthenticationWithRsa(TestDatabase.APP_USER, password);
    }

    private static RawClient.Packet fullAuthenticationWithRsa(String user, String password) throws Exception {
        RawClient c = new RawClient(port());
        byte[] scramble = c.readHandshake().scramble();
        c.write(1, handshakeResponse(user, new byte[32]));
        RawClient.Packet more = c.read();
        assertThat(more.payload()).containsExactly(0x01, 0x04);
        c.write(more.sequenceId() + 1, new byte[] {0x02});
        RawClient.Packet key = c.read();
        assertThat(key.payload()[0]).isEqualTo((byte) 0x01);
        String pem = new String(key.payload(), 1, key.payload().length - 1, StandardCharsets.US_ASCII);
        assertThat(pem).startsWith("-----BEGIN PUBLIC KEY-----");
        PublicKey publicKey = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
                Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""))));
        byte[] withNul = Arrays.copyOf(password.getBytes(StandardCharsets.UTF_8), password.length() + 1);
        for (int i = 0; i < withNul.length; i++) {
            withNul[i] ^= scramble[i % scramble.length];
        }
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
        rsa.init(Cipher.ENCRYPT_MODE, publicKey);
        c.write(key.sequenceId() + 1, rsa.doFinal(withNul));
        RawClient.Packet answer = c.read();
        c.close();
        return answer;
    }

    @Test
    void cachingSha2FullAuthenticationWithRsaWithoutTls() throws Exception {
        assertThat(fullAuthenticationWithRsa(PW).isOk()).isTrue();
        RawClient.Packet denied = fullAuthenticationWithRsa("not the password");
        assertThat(denied.isErr()).isTrue();
        assertThat(denied.errorCode()).isEqualTo(ErrorCode.ER_ACCESS_DENIED_ERROR);
    }

    /**
     * Whether a user name exists must not show: an unknown user is asked for full authentication too (as a known
     * user with a wrong password is), and then refused with the same error. It used to be refused at once.
     */
    @Test
    void anUnknownUserTakesTheSameExchangeAsAWrongPassword() throws Exception {
        RawClient.Packet wrongPassword = fullAuthenticationWithRsa(TestDatabase.APP_USER, "not the password");
        RawClient.Packet unknownUser = fullAuthenticationWithRsa("no_such_user", "not the password");
        assertThat(unknownUser.isErr()).isTrue();
        assertThat(unknownUser.errorCode()).isEqualTo(wrongPassword.errorCode()).isEqualTo(ErrorCode.ER_ACCESS_DENIED_ERROR);
        assertThat(unknownUser.sequenceId()).isEqualTo(wrongPassword.sequenceId());
        assertThat(unknownUser.message().replace("no_such_user", "<user>"))
                .isEqualTo(wrongPassword.message().replace(TestDatabase.APP_USER, "<user>"));
    }

    @Test
    void mariaDbConnectorJFetchesThePublicKeyWhenItMustAuthenticateFully() throws Exception {
        String url = "jdbc:mariadb://127.0.0.1:" + port() + "/app?sslMode=disable&allowPublicKeyRetrieval=true";
        // A wrong password over caching_sha2_password takes the full path (RSA here) and is refused there.
        assertThatThrownBy(() -> DriverManager.getConnection(url, TestDatabase.APP_USER, "wrong"))
                .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getErrorCode()).isEqualTo(ErrorCode.ER_ACCESS_DENIED_ERROR));
        try (Connection c = DriverManager.getConnection(url, TestDatabase.APP_USER, PW)) {
            assertThat(one(c, "SELECT 'sha2'")).isEqualTo("sha2");
        }
    }
}
