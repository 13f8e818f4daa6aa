package io.sluice.fuzz;

import io.sluice.protocol.Hex;
import io.sluice.protocol.PayloadWriter;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.sluice.protocol.CapabilityFlags.*;

/** Building blocks of the seed inputs: packets as real clients write them, and ways to spoil them. */
final class Packets {
    /** What Connector/J and the mysql client ask for. */
    static final int CLIENT_CAPABILITIES = CLIENT_LONG_PASSWORD | CLIENT_FOUND_ROWS | CLIENT_LONG_FLAG | CLIENT_CONNECT_WITH_DB
            | CLIENT_LOCAL_FILES | CLIENT_PROTOCOL_41 | CLIENT_TRANSACTIONS | CLIENT_SECURE_CONNECTION | CLIENT_MULTI_STATEMENTS
            | CLIENT_MULTI_RESULTS | CLIENT_PS_MULTI_RESULTS | CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS
            | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT_DEPRECATE_EOF;

    /** A mysql_native_password proof (20 bytes). */
    static final byte[] SCRAMBLED = Hex.bytes("5f 3b 1a 72 0c 11 94 e8 3d 57 29 aa 01 c2 7e 66 30 9b 4d 12");
    /** The content of Connector/J's connection-attribute block. */
    static final byte[] CONNECTOR_J_ATTRIBUTES = attributes("_client_name", "MySQL Connector/J", "_os", "Linux", "_pid", "4242",
            "program_name", "fuzz");
    /** Length-encoded integers that claim more than a packet holds, or are no integers at all. */
    static final String[] LYING_LENGTHS = {"fc ff ff", "fc 00 01", "fd ff ff ff", "fe ff ff ff ff ff ff ff ff", "fe 00 00 00 80 00 00 00 00",
        "fe ff ff ff 7f 00 00 00 00", "fe 15 00 00 00 00 00 00 00", "fb", "ff", "fc", "fd ff", "fe ff ff"};

    private Packets() {
    }

    /** A packet written field by field, remembering where each field starts, to cut it anywhere. */
    static final class Fields {
        private final PayloadWriter w = new PayloadWriter();
        private final Map<String, Integer> starts = new LinkedHashMap<>();

        Fields field(String name, java.util.function.Consumer<PayloadWriter> write) {
            starts.put(name, w.length());
            write.accept(w);
            return this;
        }

        byte[] bytes() {
            return w.toByteArray();
        }

        /** The packet cut at the start of each field and one byte into it. */
        void cuts(Map<String, byte[]> seeds, String prefix, byte[] before) {
            byte[] all = bytes();
            starts.forEach((name, start) -> {
                seeds.put(prefix + "-cut-before-" + name, concat(before, java.util.Arrays.copyOf(all, start)));
                if (start + 1 < all.length) {
                    seeds.put(prefix + "-cut-inside-" + name, concat(before, java.util.Arrays.copyOf(all, start + 1)));
                }
            });
        }
    }

    static byte[] concat(byte[]... parts) {
        PayloadWriter w = new PayloadWriter();
        for (byte[] p : parts) {
            w.bytes(p);
        }
        return w.toByteArray();
    }

    static byte[] attributes(String... keysAndValues) {
        PayloadWriter w = new PayloadWriter();
        for (String s : keysAndValues) {
            w.lenencString(s);
        }
        return w.toByteArray();
    }

    static byte[] lenenc(byte[] b) {
        return new PayloadWriter().lenencBytes(b).toByteArray();
    }

    static byte[] int4(int v) {
        return new PayloadWriter().int4(v).toByteArray();
    }
}
