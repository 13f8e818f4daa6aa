package io.sluice.protocol.auth;

import java.security.SecureRandom;

/** The 20 random bytes a server hands out for each authentication attempt. */
public final class Scramble {
    public static final int LENGTH = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Scramble() {
    }

    /**
     * Printable ASCII without '$' (as MySQL does): clients written in C treat the scramble as a
     * NUL-terminated string, and '$' separates fields in stored hashes.
     *
     * <p>Drawn from one call for random bytes, each kept when its low seven bits are an allowed byte (93 of 128: as
     * uniform as drawing each byte alone): a call per byte cost twenty calls into the random source per connection,
     * some 1.2 KB of garbage and 2 µs.
     */
    public static byte[] generate() {
        byte[] out = new byte[LENGTH];
        byte[] random = new byte[2 * LENGTH];
        int filled = 0;
        while (filled < LENGTH) {
            RANDOM.nextBytes(random);
            for (int i = 0; i < random.length && filled < LENGTH; i++) {
                int b = random[i] & 0x7f;
                if (b >= 0x21 && b <= 0x7e && b != '$') {
                    out[filled++] = (byte) b;
                }
            }
        }
        return out;
    }
}
