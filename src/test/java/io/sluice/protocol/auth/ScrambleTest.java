package io.sluice.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The 20-byte scramble: it goes into HandshakeV10 (8 + 12 bytes, the second part NUL-terminated) and
 * AuthSwitchRequest (followed by a NUL), so no byte may be NUL; MySQL's generate_user_salt() also avoids '$'.
 */
class ScrambleTest {

    @Test
    void twentyPrintableBytesWithoutNulOrDollar() {
        for (int i = 0; i < 2000; i++) {
            byte[] s = Scramble.generate();
            assertThat(s).hasSize(Scramble.LENGTH).hasSize(20);
            for (byte b : s) {
                assertThat(b).isBetween((byte) 0x21, (byte) 0x7e).isNotEqualTo((byte) '$').isNotEqualTo((byte) 0);
            }
        }
    }

    @Test
    void scramblesDiffer() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(new String(Scramble.generate(), java.nio.charset.StandardCharsets.US_ASCII));
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void everyAllowedByteCanOccur() {
        // 93 allowed values (0x21..0x7e without '$'); with 20 000 draws every one shows up
        Set<Byte> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            for (byte b : Scramble.generate()) {
                seen.add(b);
            }
        }
        assertThat(seen).hasSize(0x7e - 0x21 + 1 - 1);
    }
}
