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
     */
    public static byte[] generate() {
        byte[] out = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            int b;
            do {
                b = 0x21 + RANDOM.nextInt(0x7e - 0x21 + 1);
            } while (b == '$');
            out[i] = (byte) b;
        }
        return out;
    }
}
