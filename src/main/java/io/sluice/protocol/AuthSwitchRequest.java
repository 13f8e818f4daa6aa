package io.sluice.protocol;

/** Asks the client to authenticate again with another plugin, on fresh plugin data. */
public record AuthSwitchRequest(String pluginName, byte[] pluginData) {
    public static final int HEADER = 0xfe;

    public byte[] encode() {
        // The scramble is sent NUL-terminated, as MySQL does for its built-in plugins.
        return new PayloadWriter(pluginName.length() + pluginData.length + 3)
                .int1(HEADER).nulTerminated(pluginName).bytes(pluginData).int1(0)
                .toByteArray();
    }
}
