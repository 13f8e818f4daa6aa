package io.sluice.bench;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.sluice.backend.BackendConnection;
import io.sluice.backend.ChannelLoan;
import io.sluice.backend.LoanBorrower;
import io.sluice.backend.TlsLoanDatabase;
import io.sluice.protocol.ResponseScanner.Role;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One {@code SELECT 1} round trip through a lent backend connection ({@link ChannelLoan}) on its event loop: the
 * COM_QUERY written to the channel, the answer read, framed and scanned to its end ({@link LoanBorrower}), over plain
 * TCP or TLS 1.3 on Sluice's engine ({@code transport}; with TLS every write is wrapped and every read unwrapped by
 * TlsRecords). Statements are chained on the loop, each sent where the last answer ended, so that no thread wake-up
 * is measured; the server's own time (MariaDB, on the same 2 cores) is in every figure, and TLS's on its side too.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LoanRelayBenchmark {
    private static final int CHAIN = 200;

    @Param({"plain", TlsLoanDatabase.TLS_1_3})
    public String transport;

    private TlsLoanDatabase db;
    private NioEventLoopGroup group;
    private EventLoop loop;
    private Connection jdbc;
    private ChannelLoan loan;
    private BackendConnection backend;
    private Channel channel;
    /** Lent to for the whole trial; each query resets its scanner. */
    private LoanBorrower borrower;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        db = TlsLoanDatabase.start();
        group = new NioEventLoopGroup(1);
        loop = group.next();
        jdbc = ChannelLoanBenchmark.open(db, transport);
        backend = BackendConnection.attach(jdbc);
        loan = backend.loan();
        borrower = new LoanBorrower(backend.sessionTrack());
        channel = loop.submit(() -> loan.takeOver(loop, borrower)).get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        loan.giveBack().get(10, TimeUnit.SECONDS);
        if (!jdbc.isValid(2)) {
            throw new IllegalStateException("the connection does not work after the benchmark");
        }
        jdbc.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        db.close();
    }

    @Benchmark
    @OperationsPerInvocation(CHAIN)
    public void selectOne() throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> next(CHAIN, done));
        done.get(10, TimeUnit.SECONDS);
    }

    private void next(int left, CompletableFuture<Void> done) {
        if (left == 0) {
            done.complete(null);
            return;
        }
        borrower.query(channel, "SELECT 1").whenComplete((List<Role> roles, Throwable failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                next(left - 1, done);
            }
        });
    }
}
