package io.sluice.protocol.auth;

/**
 * caching_sha2_password's fast path: SHA256(password) XOR SHA256(SHA256(SHA256(password)) + scramble).
 * An empty password answers nothing. The full path (the password itself, over TLS or RSA) is not a
 * scramble and is handled by the session.
 */
public final class CachingSha2Password implements AuthPlugin {
    public static final String NAME = "caching_sha2_password";
    public static final CachingSha2Password INSTANCE = new CachingSha2Password();

    private CachingSha2Password() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] expectedResponse(byte[] scramble, byte[] password) {
        if (password.length == 0) {
            return new byte[0];
        }
        byte[] stage1 = Digests.sha256(password);
        byte[] stage2 = Digests.sha256(stage1);
        byte[] mix = Digests.sha256(stage2, scramble);
        return Digests.xor(stage1, mix);
    }
}
