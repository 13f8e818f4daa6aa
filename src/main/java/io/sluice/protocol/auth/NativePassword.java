package io.sluice.protocol.auth;

/** mysql_native_password: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))); an empty password answers nothing. */
public final class NativePassword implements AuthPlugin {
    public static final String NAME = "mysql_native_password";
    public static final NativePassword INSTANCE = new NativePassword();

    private NativePassword() {
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
        byte[] stage1 = Digests.sha1(password);
        byte[] stage2 = Digests.sha1(stage1);
        byte[] mix = Digests.sha1(scramble, stage2);
        return Digests.xor(stage1, mix);
    }
}
