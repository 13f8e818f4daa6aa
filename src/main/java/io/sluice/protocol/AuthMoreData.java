package io.sluice.protocol;

/** Extra authentication data from the server (0x01 prefix), e.g. caching_sha2_password's fast-auth result. */
public final class AuthMoreData {
    public static final int HEADER = 0x01;
    /** caching_sha2_password: the scramble matched the cached hash. */
    public static final int FAST_AUTH_SUCCESS = 0x03;
    /** caching_sha2_password: send the password in full (over TLS, or RSA-encrypted). */
    public static final int PERFORM_FULL_AUTHENTICATION = 0x04;

    private AuthMoreData() {
    }

    public static byte[] encode(byte[] data) {
        return new PayloadWriter(data.length + 1).int1(HEADER).bytes(data).toByteArray();
    }
}
