package io.sluice.bench;

import io.sluice.protocol.OkPacket;
import io.sluice.session.SessionTrack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What Sluice does with each OK packet from a backend to know its session state: decode it (session tracking on)
 * and, when the server reports a change, parse the session-state data. "insert" is the common case, an OK without
 * state changes; the others are OK packets MariaDB sent for SET NAMES, USE and SET autocommit.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StateTrackingBenchmark {
    @Param({"insert", "set-names", "use-schema", "autocommit-off"})
    public String ok;

    private byte[] payload;

    @Setup(Level.Trial)
    public void setUp() {
        payload = switch (ok) {
            case "insert" -> MariaDbResponses.OK_INSERT;
            case "set-names" -> MariaDbResponses.OK_SET_NAMES;
            case "use-schema" -> MariaDbResponses.OK_USE_SCHEMA;
            case "autocommit-off" -> MariaDbResponses.OK_AUTOCOMMIT_OFF;
            default -> throw new IllegalArgumentException(ok);
        };
    }

    @Benchmark
    public SessionTrack decodeAndParse() {
        OkPacket packet = OkPacket.decode(payload, payload.length, true);
        // As BackendLink.follow: no session-state data, nothing to parse.
        return packet.sessionStateInfo() == null ? SessionTrack.NONE : SessionTrack.parse(packet.sessionStateInfo());
    }
}
