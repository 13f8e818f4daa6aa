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
    void allowedBytesAreEquallyLikely() {
        int[] counts = new int[128];
        int draws = 0;
        for (int i = 0; i < 5000; i++) {
            for (byte b : Scramble.generate()) {
                counts[b]++;
                draws++;
            }
        }
        double expected = draws / 93.0;
        double chiSquare = 0;
        for (int b = 0x21; b <= 0x7e; b++) {
            if (b != '$') {
                chiSquare += (counts[b] - expected) * (counts[b] - expected) / expected;
            }
        }
        // 92 degrees of freedom: 150 is beyond the 99.99th percentile (about 148) of a uniform draw.
        assertThat(chiSquare).isLessThan(150);
    }

    @Test
    void aScrambleCostsOneCallForRandomBytes() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 2000; i++) {
            Scramble.generate();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1000; i++) {
            Scramble.generate();
        }
        long perScramble = (threads.getCurrentThreadAllocatedBytes() - before) / 1000;
        // One per connection: drawn a byte at a time (a call into the random source each), it was 1,170 bytes.
        assertThat(perScramble).isLessThan(400);
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
