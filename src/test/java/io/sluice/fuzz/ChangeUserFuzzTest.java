package io.sluice.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.protocol.ChangeUserRequest;
import io.sluice.protocol.Hex;
import io.sluice.protocol.MalformedPacketException;
import io.sluice.protocol.PacketTooLargeException;
import io.sluice.protocol.PayloadWriter;

import org.junit.jupiter.api.Timeout;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.sluice.fuzz.Packets.*;
import static io.sluice.protocol.CapabilityFlags.*;

/**
 * COM_CHANGE_USER decoded as Sluice decodes it, under any negotiated capabilities: a complete record or
 * {@link MalformedPacketException}, nothing else.
 *
 * <p>Input: the capabilities negotiated at login (4 bytes, little-endian; missing bytes are 0), then the packet.
 */
class ChangeUserFuzzTest {

    /** Each input (each seed in the test phase) within 10 s: while fuzzing, libFuzzer's -timeout. */
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @FuzzTest(maxDuration = "30s")
    void decodesAnyChangeUser(byte[] input) {
        int capabilities = 0;
        for (int i = 0; i < Math.min(4, input.length); i++) {
            capabilities |= (input[i] & 0xff) << (8 * i);
        }
        byte[] payload = input.length <= 4 ? new byte[0] : java.util.Arrays.copyOfRange(input, 4, input.length);
        ChangeUserRequest request;
        try {
            request = ChangeUserRequest.decode(payload, capabilities);
        } catch (MalformedPacketException | PacketTooLargeException e) {
            return;
        }
        if (request.username() == null || request.authResponse() == null || request.attributes() == null
                || request.collationId() < 0 || request.collationId() > 0xffff) {
            throw new AssertionError("incomplete or impossible COM_CHANGE_USER " + request + " from " + Hex.dump(payload));
        }
    }

    // ---- seed inputs ----

    /** COM_CHANGE_USER as Connector/J writes it, under {@code caps}. */
    static Fields changeUser(int caps, byte[] auth, byte[] attributeBlock) {
        Fields f = new Fields()
                .field("command", w -> w.int1(0x11))
                .field("user", w -> w.nulTerminated("app"))
                .field("auth", w -> w.bytes(auth))
                .field("database", w -> w.nulTerminated("app"))
                .field("collation", w -> w.int2(45));
        if ((caps & CLIENT_PLUGIN_AUTH) != 0) {
            f.field("plugin", w -> w.nulTerminated("mysql_native_password"));
        }
        if ((caps & CLIENT_CONNECT_ATTRS) != 0) {
            f.field("attributes", w -> w.bytes(attributeBlock));
        }
        return f;
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] auth = concat(new byte[] {20}, SCRAMBLED);
        byte[] attrs = lenenc(CONNECTOR_J_ATTRIBUTES);
        Fields full = changeUser(CLIENT_CAPABILITIES, auth, attrs);
        seeds.put("connector-j", concat(int4(CLIENT_CAPABILITIES), full.bytes()));
        full.cuts(seeds, "connector-j", int4(CLIENT_CAPABILITIES));
        int old = CLIENT_PROTOCOL_41;
        Fields nulTerminated = changeUser(old, Hex.bytes("61 62 63 00"), new byte[0]);
        seeds.put("auth-nul-terminated", concat(int4(old), nulTerminated.bytes()));
        nulTerminated.cuts(seeds, "auth-nul-terminated", int4(old));
        seeds.put("auth-length-255-short", concat(int4(CLIENT_CAPABILITIES), changeUser(CLIENT_CAPABILITIES,
                concat(new byte[] {(byte) 0xff}, SCRAMBLED), attrs).bytes()));
        for (String lie : LYING_LENGTHS) {
            seeds.put("attributes-lenenc-lies-" + lie.replace(' ', '-'), concat(int4(CLIENT_CAPABILITIES),
                    changeUser(CLIENT_CAPABILITIES, auth, concat(Hex.bytes(lie), CONNECTOR_J_ATTRIBUTES)).bytes()));
        }
        seeds.put("attributes-longer-than-packet", concat(int4(CLIENT_CAPABILITIES), changeUser(CLIENT_CAPABILITIES, auth,
                concat(new PayloadWriter().lenenc(CONNECTOR_J_ATTRIBUTES.length + 1).toByteArray(), CONNECTOR_J_ATTRIBUTES)).bytes()));
        seeds.put("attributes-shorter-than-contents", concat(int4(CLIENT_CAPABILITIES), changeUser(CLIENT_CAPABILITIES, auth,
                concat(new PayloadWriter().lenenc(CONNECTOR_J_ATTRIBUTES.length - 3).toByteArray(), CONNECTOR_J_ATTRIBUTES)).bytes()));
        seeds.put("all-capabilities", concat(int4(-1), full.bytes()));
        seeds.put("command-byte-only", concat(int4(CLIENT_CAPABILITIES), Hex.bytes("11")));
        seeds.put("empty-payload", int4(CLIENT_CAPABILITIES));
        seeds.put("capabilities-cut", Hex.bytes("ff 0f"));
        return seeds;
    }
}
