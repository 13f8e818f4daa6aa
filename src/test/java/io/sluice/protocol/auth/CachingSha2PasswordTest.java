package io.sluice.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.Hex;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.junit.jupiter.api.Test;

/**
 * caching_sha2_password's scramble (page_caching_sha2_authentication_exchanges):
 * XOR(SHA256(password), SHA256(SHA256(SHA256(password)), scramble)) — note the scramble comes after the
 * double hash here, before it in mysql_native_password. An empty password answers nothing.
 */
class CachingSha2PasswordTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] documentedAnswer(byte[] scramble, byte[] password) throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] m1 = sha256.digest(password);         // SHA256(password)
        byte[] m2 = sha256.digest(m1);               // SHA256(SHA256(password)), what the server caches
        sha256.update(m2);
        sha256.update(scramble);
        byte[] m3 = sha256.digest();                 // SHA256(m2 + scramble)
        byte[] answer = new byte[32];
        for (int i = 0; i < 32; i++) {
            answer[i] = (byte) (m1[i] ^ m3[i]);
        }
        return answer;
    }

    /** go-sql-driver/mysql auth_test.go, TestScrambleSHA256Pass. */
    @Test
    void knownVectorsFromGoSqlDriverScrambleTest() {
        byte[] scramble = Hex.bytes("0a 2f 4a 6f 4b 49 22 30 58 4c 72 4a 25 0d 03 50 52 02 17 15");
        assertThat(Hex.dump(CachingSha2Password.INSTANCE.expectedResponse(scramble, utf8("secret")))).isEqualTo(
                "f4 90 e7 6f 66 d9 d8 66 65 ce 54 d9 8c 78 d0 ac fe 2f b0 b0 8b 42 3d a8 07 14 48 73 d3 0b 31 2c");
        assertThat(Hex.dump(CachingSha2Password.INSTANCE.expectedResponse(scramble, utf8("secret2")))).isEqualTo(
                "ab c3 93 4a 01 2c f3 42 e8 76 07 1c 8e e2 02 de 51 78 5b 43 02 58 a7 a0 13 8b c7 9c 4d 80 0b c6");
    }

    /** go-sql-driver/mysql auth_test.go, TestAuthFastCachingSHA256PasswordCached and ...FullRSA: the written answers. */
    @Test
    void knownVectorsFromGoSqlDriverHandshakeTests() {
        byte[] scramble1 = Hex.bytes("5a 69 4a 7e 1e 30 25 38 03 17 73 7f 45 16 29 54 20 7b 2b 76");
        assertThat(Hex.dump(CachingSha2Password.INSTANCE.expectedResponse(scramble1, utf8("secret")))).isEqualTo(
                "66 20 05 23 8f a1 8c f1 ab e8 38 8b 2b 0e 6b c4 f9 aa 93 3c dc cc 78 b2 d6 0f b8 96 1a 3d 39 eb");
        byte[] scramble2 = Hex.bytes("06 51 60 72 0e 2a 32 1e 4c 2f 01 5f 7e 51 3e 5e 53 50 34 55");
        assertThat(Hex.dump(CachingSha2Password.INSTANCE.expectedResponse(scramble2, utf8("secret")))).isEqualTo(
                "ab c9 8a 92 59 9f 0b aa 00 43 a5 31 af 5e da 44 b1 6d 6e 56 22 21 2c be 43 f0 46 6e 28 8b 7c 29");
    }

    @Test
    void matchesTheDocumentedFormula() throws Exception {
        byte[] scramble = "abcdefghijklmnopqrst".getBytes(StandardCharsets.US_ASCII);
        for (String password : new String[] {"secret", "p", "a much longer pass phrase with spaces", "pässwörd"}) {
            assertThat(CachingSha2Password.INSTANCE.expectedResponse(scramble, utf8(password)))
                    .as(password)
                    .isEqualTo(documentedAnswer(scramble, utf8(password)));
        }
        assertThat(Hex.dump(documentedAnswer(Hex.bytes("5a 69 4a 7e 1e 30 25 38 03 17 73 7f 45 16 29 54 20 7b 2b 76"), utf8("secret"))))
                .isEqualTo("66 20 05 23 8f a1 8c f1 ab e8 38 8b 2b 0e 6b c4 f9 aa 93 3c dc cc 78 b2 d6 0f b8 96 1a 3d 39 eb");
    }

    @Test
    void scrambleOrderMatters() throws Exception {
        // SHA256(scramble + m2) (the native plugin's order) gives a different, wrong answer
        byte[] scramble = "abcdefghijklmnopqrst".getBytes(StandardCharsets.US_ASCII);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] m1 = sha256.digest(utf8("secret"));
        byte[] m2 = sha256.digest(m1);
        sha256.update(scramble);
        sha256.update(m2);
        byte[] wrongMix = sha256.digest();
        byte[] wrong = new byte[32];
        for (int i = 0; i < 32; i++) {
            wrong[i] = (byte) (m1[i] ^ wrongMix[i]);
        }
        assertThat(CachingSha2Password.INSTANCE.expectedResponse(scramble, utf8("secret"))).isNotEqualTo(wrong);
    }

    @Test
    void emptyPasswordAnswersNothing() {
        assertThat(CachingSha2Password.INSTANCE.expectedResponse(new byte[20], new byte[0])).isEmpty();
    }

    @Test
    void verify() {
        byte[] scramble = Hex.bytes("5a 69 4a 7e 1e 30 25 38 03 17 73 7f 45 16 29 54 20 7b 2b 76");
        byte[] answer = Hex.bytes("66 20 05 23 8f a1 8c f1 ab e8 38 8b 2b 0e 6b c4 f9 aa 93 3c dc cc 78 b2 d6 0f b8 96 1a 3d 39 eb");
        CachingSha2Password p = CachingSha2Password.INSTANCE;
        assertThat(p.verify(scramble, answer, utf8("secret"))).isTrue();
        assertThat(p.verify(scramble, answer, utf8("secret2"))).isFalse();
        assertThat(p.verify(scramble, java.util.Arrays.copyOf(answer, 31), utf8("secret"))).isFalse();
        // a mysql_native_password answer to the same scramble is not a caching_sha2_password answer
        assertThat(p.verify(scramble, NativePassword.INSTANCE.expectedResponse(scramble, utf8("secret")), utf8("secret"))).isFalse();
        assertThat(p.verify(scramble, new byte[0], new byte[0])).isTrue();
        assertThat(p.verify(scramble, answer, new byte[0])).isFalse();
    }

    @Test
    void name() {
        assertThat(CachingSha2Password.INSTANCE.name()).isEqualTo("caching_sha2_password").isEqualTo(CachingSha2Password.NAME);
    }
}
