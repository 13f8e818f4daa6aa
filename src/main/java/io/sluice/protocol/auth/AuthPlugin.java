package io.sluice.protocol.auth;

import java.security.MessageDigest;
import java.util.Optional;

/** A scramble-based authentication method a client may use to prove it knows a password. */
public sealed interface AuthPlugin permits NativePassword, CachingSha2Password {

    String name();

    /** What a client holding {@code password} answers to {@code scramble}. */
    byte[] expectedResponse(byte[] scramble, byte[] password);

    /** Constant-time comparison, so that response timing says nothing about the password. */
    default boolean verify(byte[] scramble, byte[] response, byte[] password) {
        return MessageDigest.isEqual(expectedResponse(scramble, password), response);
    }

    static Optional<AuthPlugin> byName(String name) {
        if (NativePassword.NAME.equals(name)) {
            return Optional.of(NativePassword.INSTANCE);
        }
        if (CachingSha2Password.NAME.equals(name)) {
            return Optional.of(CachingSha2Password.INSTANCE);
        }
        return Optional.empty();
    }
}
