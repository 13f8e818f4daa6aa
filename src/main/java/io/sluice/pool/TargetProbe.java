package io.sluice.pool;

import io.sluice.protocol.ErrPacket;
import io.sluice.protocol.HandshakeV10;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Whether a database answers at all: a TCP connection and the server's handshake packet, no login. It does not
 * compete with clients for pooled connections, so a busy pool never looks like an unreachable database.
 * Results are kept for a moment, so that probes arriving together cost one connection.
 */
public final class TargetProbe {
    private static final long CACHE_NANOS = Duration.ofSeconds(1).toNanos();

    private final Target target;
    private final Duration timeout;
    private long checkedAt;
    private String lastProblem;

    public TargetProbe(Target target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
    }

    /** How the server introduces itself, read from its handshake without logging in; empty when it does not answer. */
    public java.util.Optional<ServerIdentity> identity() {
        HandshakeV10[] seen = new HandshakeV10[1];
        String problem = check(seen);
        return problem == null ? java.util.Optional.of(new ServerIdentity(seen[0].serverVersion(), seen[0].collationId(), seen[0].authPluginName())) : java.util.Optional.empty();
    }

    /** Null when the server answered with a handshake, else why it did not. */
    public synchronized String problem() {
        long now = System.nanoTime();
        if (checkedAt != 0 && now - checkedAt < CACHE_NANOS) {
            return lastProblem;
        }
        lastProblem = check(new HandshakeV10[1]);
        checkedAt = System.nanoTime();
        return lastProblem;
    }

    private String check(HandshakeV10[] handshake) {
        int millis = (int) timeout.toMillis();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(target.host(), target.port()), millis);
            s.setSoTimeout(millis);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] header = new byte[4];
            in.readFully(header);
            int length = (header[0] & 0xff) | (header[1] & 0xff) << 8 | (header[2] & 0xff) << 16;
            if (length > 64 * 1024) {
                return "not a MySQL server (handshake of " + length + " bytes)";
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            if (ErrPacket.is(payload)) {
                return "refuses connections: " + ErrPacket.decode(payload, payload.length).message();
            }
            handshake[0] = HandshakeV10.decode(payload);
            return null;
        } catch (IOException | RuntimeException e) {
            return "unreachable: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
        }
    }
}
