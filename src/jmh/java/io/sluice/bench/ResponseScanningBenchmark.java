package io.sluice.bench;

import io.sluice.protocol.ResponseScanner;
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
 * {@link ResponseScanner} following a backend's response to its end, as Sluice does for every command: a new
 * scanner per response (session tracking on, as on Sluice's backends), every packet classified, the closing OK
 * decoded. One operation is one response.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ResponseScanningBenchmark {
    @Param({"point-select-text", "point-select-binary", "1000-row-result"})
    public String response;

    private int command;
    private byte[][] payloads;

    @Setup(Level.Trial)
    public void setUp() {
        MariaDbResponses.Response r = switch (response) {
            case "point-select-text" -> MariaDbResponses.pointSelectText();
            case "point-select-binary" -> MariaDbResponses.pointSelectBinary();
            case "1000-row-result" -> MariaDbResponses.thousandRows();
            default -> throw new IllegalArgumentException(response);
        };
        command = r.command();
        payloads = r.payloads().toArray(byte[][]::new);
    }

    @Benchmark
    public int scan() {
        ResponseScanner scanner = new ResponseScanner(command, true);
        for (byte[] payload : payloads) {
            scanner.next(payload, payload.length);
        }
        if (!scanner.isComplete()) {
            throw new IllegalStateException("the response did not end where it should");
        }
        return scanner.statusFlags();
    }
}
