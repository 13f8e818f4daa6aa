package io.sluice.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.sluice.backend.BackendConnection;
import io.sluice.backend.ChannelLoan;
import io.sluice.backend.TlsLoanDatabase;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One take-over plus give-back of a backend connection ({@link ChannelLoan}), against a MariaDB with TLS started by
 * the benchmark ({@link TlsLoanDatabase}), over plain TCP or TLS 1.3 ({@code transport}), on a NIO event loop. {@code onTheLoop}: cycles chained on the loop, each take-over started where
 * the previous give-back completed, as the relay will swap backends at response ends; one operation is one cycle.
 * {@code fromAnotherThread}: each step submitted to the loop and waited for, so that it includes the loop's wake-ups.
 * Not a per-packet benchmark: a swap happens at most once per statement.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChannelLoanBenchmark {
    private static final int CHAIN = 1000;

    /** "plain", or the TLS version of a connection on Sluice's engine. */
    @Param({"plain", TlsLoanDatabase.TLS_1_3})
    public String transport;

    private TlsLoanDatabase db;
    private NioEventLoopGroup group;
    private EventLoop loop;
    private Connection jdbc;
    private ChannelLoan loan;
    /** A borrower that is never sent anything: the cost measured is the hand-over alone. */
    private final ChannelLoan.Borrower idle = new ChannelLoan.Borrower() {
        @Override
        public void received(ByteBuf bytes) {
            bytes.release();
            throw new IllegalStateException("nothing was asked");
        }

        @Override
        public boolean consumedAll() {
            return true;
        }

        @Override
        public void closed() {
        }
    };

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        group = new NioEventLoopGroup(1);
        loop = group.next();
        db = TlsLoanDatabase.start();
        jdbc = open(db, transport);
        loan = BackendConnection.attach(jdbc).loan();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (!jdbc.isValid(2)) {
            throw new IllegalStateException("the connection does not work after the benchmark");
        }
        jdbc.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        db.close();
    }

    /** A connection over {@code transport}: "plain" or a TLS version. */
    static Connection open(TlsLoanDatabase db, String transport) throws Exception {
        return "plain".equals(transport) ? db.openPlain() : db.open(transport);
    }

    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public void onTheLoop() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> cycle(CHAIN, done));
        done.get(10, TimeUnit.SECONDS);
    }

    private void cycle(int left, CompletableFuture<Void> done) {
        if (left == 0) {
            done.complete(null);
            return;
        }
        loan.takeOver(loop, idle);
        // Completed on the loop, right after the socket is back in blocking mode.
        loan.giveBack().whenComplete((v, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                cycle(left - 1, done);
            }
        });
    }

    @Benchmark
    public void fromAnotherThread() throws Exception {
        loop.submit(() -> loan.takeOver(loop, idle)).get(10, TimeUnit.SECONDS);
        loan.giveBack().get(10, TimeUnit.SECONDS);
    }
}
