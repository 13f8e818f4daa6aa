package io.sluice.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.protocol.InboundPacket;
import io.sluice.protocol.PacketFramer;
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
import java.util.function.Consumer;

/**
 * {@link PacketFramer} cutting a byte stream into packets: a client's statement, a point-select response, and a
 * 1,000-row result arriving in 16 KiB reads (so packets straddle reads, as they do off a socket). One operation is
 * the whole stream; -prof gc's gc.alloc.rate.norm is then the bytes allocated per statement or per response.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FramingBenchmark {
    /** What a socket read hands over at most at a time in the 1,000-row case. */
    private static final int READ_SIZE = 16 * 1024;

    @Param({"client-query", "point-select-response", "1000-row-result"})
    public String stream;

    private ByteBuf[] reads;
    private PacketFramer framer;
    private InboundPacket last;
    private int packets;
    private final Consumer<InboundPacket> sink = packet -> {
        last = packet;
        packets++;
    };

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = switch (stream) {
            case "client-query" -> MariaDbResponses.clientQuery("SELECT c FROM sbtest1 WHERE id=5012");
            case "point-select-response" -> MariaDbResponses.pointSelectText().wire();
            case "1000-row-result" -> MariaDbResponses.thousandRows().wire();
            default -> throw new IllegalArgumentException(stream);
        };
        int n = (bytes.length + READ_SIZE - 1) / READ_SIZE;
        reads = new ByteBuf[n];
        for (int i = 0; i < n; i++) {
            reads[i] = Unpooled.wrappedBuffer(bytes, i * READ_SIZE, Math.min(READ_SIZE, bytes.length - i * READ_SIZE));
        }
        framer = new PacketFramer(64 * 1024 * 1024);
    }

    @Benchmark
    public int frame() {
        packets = 0;
        for (ByteBuf read : reads) {
            read.readerIndex(0);
            framer.feed(read, sink);
        }
        return packets + last.length();
    }
}
