package io.sluice.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.protocol.Hex;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class DigestsTest {

    private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);

    @Test
    void sha1OfAbcIsTheFipsVector() {
        // FIPS 180-2, appendix A.1
        assertThat(Hex.dump(Digests.sha1(ABC))).isEqualTo("a9 99 3e 36 47 06 81 6a ba 3e 25 71 78 50 c2 6c 9c d0 d8 9d");
    }

    @Test
    void sha256OfAbcIsTheFipsVector() {
        // FIPS 180-2, appendix B.1
        assertThat(Hex.dump(Digests.sha256(ABC)))
                .isEqualTo("ba 78 16 bf 8f 01 cf ea 41 41 40 de 5d ae 22 23 b0 03 61 a3 96 17 7a 9c b4 10 ff 61 f2 00 15 ad");
    }

    @Test
    void partsAreHashedAsTheirConcatenation() {
        byte[] a = "a".getBytes(StandardCharsets.US_ASCII);
        byte[] bc = "bc".getBytes(StandardCharsets.US_ASCII);
        assertThat(Digests.sha1(a, bc)).isEqualTo(Digests.sha1(ABC));
        assertThat(Digests.sha256(a, new byte[0], bc)).isEqualTo(Digests.sha256(ABC));
    }

    @Test
    void xorOfEqualLengths() {
        assertThat(Hex.dump(Digests.xor(Hex.bytes("ff 00 0f"), Hex.bytes("0f 0f 0f")))).isEqualTo("f0 0f 00");
    }

    @Test
    void xorKeepsTheLengthOfTheFirstArgument() {
        // the second argument repeats when shorter
        assertThat(Hex.dump(Digests.xor(Hex.bytes("01 02 03 04"), Hex.bytes("ff 00")))).isEqualTo("fe 02 fc 04");
    }
}
