package io.sluice.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.protocol.HandshakeResponse;
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
 * The first packet a client sends, decoded as Sluice decodes it: a HandshakeResponse41, or an SSLRequest. Whatever the
 * bytes, {@link HandshakeResponse#decode} gives a complete record or throws {@link MalformedPacketException}: no other
 * exception, no length taken on trust; {@link HandshakeResponse#isSslRequest} answers without throwing.
 */
class HandshakeResponseFuzzTest {

    /** Each input (each seed in the test phase) within 10 s: while fuzzing, libFuzzer's -timeout. */
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    @FuzzTest(maxDuration = "30s")
    void decodesAnyHandshakeResponse(byte[] payload) {
        boolean sslRequest = HandshakeResponse.isSslRequest(payload);
        HandshakeResponse response;
        try {
            response = HandshakeResponse.decode(payload);
        } catch (MalformedPacketException | PacketTooLargeException e) {
            return;
        }
        if (response.username() == null || response.authResponse() == null || response.attributes() == null) {
            throw new AssertionError("incomplete handshake response " + response + " from " + Hex.dump(payload));
        }
        if (response.maxPacketSize() < 0 || response.maxPacketSize() > 0xffffffffL || response.collationId() < 0 || response.collationId() > 255) {
            throw new AssertionError("impossible field in " + response);
        }
        if (sslRequest && payload.length != HandshakeResponse.SSL_REQUEST_LENGTH) {
            throw new AssertionError("an SSLRequest is 32 bytes long");
        }
    }

    // ---- seed inputs ----

    /** A handshake response with the given capabilities, the auth data and attribute block written raw. */
    static Fields handshake(int caps, byte[] auth, byte[] attributeBlock) {
        Fields f = new Fields()
                .field("capabilities", w -> w.int4(caps))
                .field("max-packet", w -> w.int4(16 * 1024 * 1024))
                .field("collation", w -> w.int1(45))
                .field("filler", w -> w.zeros(23))
                .field("user", w -> w.nulTerminated("app"))
                .field("auth", w -> w.bytes(auth));
        if ((caps & CLIENT_CONNECT_WITH_DB) != 0) {
            f.field("database", w -> w.nulTerminated("app"));
        }
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
        byte[] auth = lenenc(SCRAMBLED);
        byte[] attrs = lenenc(CONNECTOR_J_ATTRIBUTES);
        Fields full = handshake(CLIENT_CAPABILITIES, auth, attrs);
        seeds.put("connector-j", full.bytes());
        full.cuts(seeds, "connector-j", new byte[0]);
        seeds.put("auth-length-byte", handshake(CLIENT_CAPABILITIES & ~CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
                concat(new byte[] {20}, SCRAMBLED), attrs).bytes());
        seeds.put("auth-length-byte-255-short", handshake(CLIENT_CAPABILITIES & ~CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
                concat(new byte[] {(byte) 0xff}, SCRAMBLED), new byte[0]).bytes());
        seeds.put("auth-nul-terminated", handshake(CLIENT_PROTOCOL_41 | CLIENT_CONNECT_WITH_DB, Hex.bytes("61 62 63 00"), new byte[0]).bytes());
        seeds.put("auth-nul-missing", handshake(CLIENT_PROTOCOL_41, Hex.bytes("61 62 63"), new byte[0]).bytes());
        seeds.put("no-protocol-41", handshake(CLIENT_CAPABILITIES & ~CLIENT_PROTOCOL_41, auth, attrs).bytes());
        seeds.put("all-capabilities", handshake(-1, auth, attrs).bytes());
        seeds.put("no-optional-fields", handshake(CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION, concat(new byte[] {0}), new byte[0]).bytes());
        for (String lie : LYING_LENGTHS) {
            String name = lie.replace(' ', '-');
            seeds.put("auth-lenenc-lies-" + name, handshake(CLIENT_CAPABILITIES, concat(Hex.bytes(lie), SCRAMBLED), attrs).bytes());
            seeds.put("attributes-lenenc-lies-" + name, handshake(CLIENT_CAPABILITIES, auth, concat(Hex.bytes(lie), CONNECTOR_J_ATTRIBUTES)).bytes());
            seeds.put("attribute-key-lenenc-lies-" + name, handshake(CLIENT_CAPABILITIES, auth,
                    lenenc(concat(Hex.bytes(lie), attributes("k", "v")))).bytes());
        }
        seeds.put("attributes-longer-than-packet", handshake(CLIENT_CAPABILITIES, auth,
                concat(new PayloadWriter().lenenc(CONNECTOR_J_ATTRIBUTES.length + 1).toByteArray(), CONNECTOR_J_ATTRIBUTES)).bytes());
        seeds.put("attributes-shorter-than-contents", handshake(CLIENT_CAPABILITIES, auth,
                concat(new PayloadWriter().lenenc(CONNECTOR_J_ATTRIBUTES.length - 3).toByteArray(), CONNECTOR_J_ATTRIBUTES)).bytes());
        seeds.put("attributes-value-missing", handshake(CLIENT_CAPABILITIES, auth, lenenc(attributes("only-a-key"))).bytes());
        seeds.put("attributes-empty", handshake(CLIENT_CAPABILITIES, auth, lenenc(new byte[0])).bytes());
        seeds.put("attributes-repeated-key", handshake(CLIENT_CAPABILITIES, auth, lenenc(attributes("k", "1", "k", "2"))).bytes());
        seeds.put("attributes-invalid-utf8", handshake(CLIENT_CAPABILITIES, auth, lenenc(concat(Hex.bytes("02 c3 28 01 ff")))).bytes());
        seeds.put("ssl-request", new PayloadWriter().int4(CLIENT_CAPABILITIES | CLIENT_SSL).int4(16 << 20).int1(45).zeros(23).toByteArray());
        seeds.put("ssl-request-31-bytes", new PayloadWriter().int4(CLIENT_CAPABILITIES | CLIENT_SSL).int4(16 << 20).int1(45).zeros(22).toByteArray());
        seeds.put("ssl-request-33-bytes", new PayloadWriter().int4(CLIENT_CAPABILITIES | CLIENT_SSL).int4(16 << 20).int1(45).zeros(24).toByteArray());
        seeds.put("empty", new byte[0]);
        seeds.put("four-bytes", Hex.bytes("ff ff ff ff"));
        return seeds;
    }
}
