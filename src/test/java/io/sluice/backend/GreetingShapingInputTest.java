package io.sluice.backend;

import io.sluice.protocol.CapabilityFlags;
import io.sluice.protocol.HandshakeV10;
import io.sluice.protocol.ServerStatus;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** What Connector/J reads from a backend through the shaping stream, whatever pieces the bytes arrive in. */
class GreetingShapingInputTest {
    private static final int OFFERED = 0xdfffffff;

    private static byte[] packet(int sequence, byte[] payload) {
        byte[] p = new byte[4 + payload.length];
        p[0] = (byte) payload.length;
        p[1] = (byte) (payload.length >>> 8);
        p[2] = (byte) (payload.length >>> 16);
        p[3] = (byte) sequence;
        System.arraycopy(payload, 0, p, 4, payload.length);
        return p;
    }

    private static byte[] greeting() {
        return new HandshakeV10("8.4.3", 8, "abcdefghijklmnopqrst".getBytes(StandardCharsets.US_ASCII), OFFERED, 255,
                ServerStatus.SERVER_STATUS_AUTOCOMMIT, "caching_sha2_password").encode();
    }

    /** A server stream that hands out at most {@code piece} bytes per read, as a slow network would. */
    private static InputStream trickling(byte[] bytes, int piece) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, piece));
            }
        };
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void theGreetingLosesTheShapedCapabilitiesAndLaterPacketsPassUntouched() throws IOException {
        byte[] later = packet(2, new byte[] {0, 0, 0, 2, 0, 0, 0});
        byte[] server = concat(packet(0, greeting()), later);
        for (int piece : new int[] {1, 3, 4, 5, 64, 4096}) {
            InputStream in = new GreetingShapingInput(trickling(server, piece), CapabilityFlags.CLIENT_QUERY_ATTRIBUTES);
            byte[] seen = in.readAllBytes();
            byte[] seenGreeting = Arrays.copyOfRange(seen, 4, server.length - later.length);
            assertThat(HandshakeV10.decode(seenGreeting).capabilities()).as("piece %d", piece)
                    .isEqualTo(OFFERED & ~CapabilityFlags.CLIENT_QUERY_ATTRIBUTES);
            assertThat(Arrays.copyOf(seen, 4)).isEqualTo(Arrays.copyOf(server, 4));
            assertThat(Arrays.copyOfRange(seen, server.length - later.length, seen.length)).isEqualTo(later);
            assertThat(seen).hasSameSizeAs(server);
        }
    }

    @Test
    void singleByteReadsSeeTheSameBytes() throws IOException {
        byte[] server = packet(0, greeting());
        InputStream in = new GreetingShapingInput(new ByteArrayInputStream(server), CapabilityFlags.CLIENT_QUERY_ATTRIBUTES);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            out.write(b);
        }
        assertThat(out.toByteArray()).isEqualTo(packet(0, HandshakeV10.withoutCapabilities(greeting(), CapabilityFlags.CLIENT_QUERY_ATTRIBUTES)));
    }

    @Test
    void availableCountsTheHeldGreeting() throws IOException {
        byte[] server = packet(0, greeting());
        InputStream in = new GreetingShapingInput(new ByteArrayInputStream(server), CapabilityFlags.CLIENT_QUERY_ATTRIBUTES);
        assertThat(in.read()).isEqualTo(server[0] & 0xff);
        assertThat(in.available()).isEqualTo(server.length - 1);
        in.readNBytes(server.length - 1);
        assertThat(in.available()).isZero();
    }

    @Test
    void anErrInsteadOfAGreetingReachesConnectorJAsSent() throws IOException {
        byte[] err = packet(0, concat(new byte[] {(byte) 0xff, 0x10, 0x04}, "Too many connections".getBytes(StandardCharsets.US_ASCII)));
        InputStream in = new GreetingShapingInput(new ByteArrayInputStream(err), -1);
        assertThat(in.readAllBytes()).isEqualTo(err);
    }

    @Test
    void aServerThatHangsUpEarlyShowsEndOfStream() throws IOException {
        byte[] cut = Arrays.copyOf(packet(0, greeting()), 30);
        assertThat(new GreetingShapingInput(new ByteArrayInputStream(cut), -1).readAllBytes()).isEqualTo(cut);
        assertThat(new GreetingShapingInput(new ByteArrayInputStream(new byte[] {5, 0}), -1).readAllBytes()).containsExactly(5, 0);
    }
}
