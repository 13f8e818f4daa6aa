package io.sluice.frontend;

import io.sluice.config.SluiceConfig;
import io.sluice.observe.Telemetry;
import io.sluice.pool.BackendPool;
import io.sluice.pool.BackendPools;
import io.sluice.protocol.ErrPacket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * Runs {@link ClientSession}s against scripted clients, one at a time, on real backend pools, and reports how each
 * session ended: for tests outside this package (the fuzz tests), which cannot reach the session's package-private
 * pieces.
 */
public final class SessionBench {
    private final SessionServices services;
    private final ClientRegistry registry;
    private final int maxPacketSize;
    private final int maxLoginPacketSize;
    private final List<Throwable> logged = Collections.synchronizedList(new ArrayList<>());

    public SessionBench(SluiceConfig config, BackendPools pools) {
        this.registry = new ClientRegistry(config.maxClientConnections());
        this.services = SessionServices.of(config, pools, registry, Telemetry.NONE);
        this.maxPacketSize = (int) Math.min(Integer.MAX_VALUE - 8, config.client().maxPacketSize().asLongValue());
        this.maxLoginPacketSize = (int) Math.min(maxPacketSize, config.client().maxLoginPacketSize().asLongValue());
        // ClientSession logs what its run() caught beyond the protocol's own errors; keep the exception.
        java.util.logging.Logger.getLogger(ClientSession.class.getName()).addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    logged.add(record.getThrown() != null ? record.getThrown() : new AssertionError(record.getMessage()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
    }

    /**
     * How one session ended.
     *
     * @param ended          whether its thread ended within the time given
     * @param stuckAt        where it was when it did not
     * @param uncaught       what escaped its run()
     * @param internalErrors what its run() caught as an unexpected failure (logged, answered with ERR 1105)
     * @param errors         the ERR packets it wrote
     * @param borrowed       backend connections still borrowed, across the pools, once it ended
     * @param registered     sessions still in the registry once it ended
     * @param closeCalls     how often it closed its transport
     * @param silencesWaitedOut silences of the client the session waited out, reading without a time limit
     */
    public record Run(boolean ended, StackTraceElement[] stuckAt, Throwable uncaught, List<Throwable> internalErrors, List<ErrPacket> errors,
            int packetsWritten, long bytesWritten, int borrowed, int registered, int closeCalls, int silencesWaitedOut) {
    }

    public Run run(ClientScript script, Duration limit) throws InterruptedException {
        ScriptedTransport transport = new ScriptedTransport(script, maxLoginPacketSize, maxPacketSize);
        if (!registry.tryAdmit()) {
            throw new IllegalStateException("the bench's registry is full: a session was not removed");
        }
        ClientSession session = new ClientSession(transport, services, registry.nextConnectionId());
        registry.register(session);
        logged.clear();
        AtomicReference<Throwable> uncaught = new AtomicReference<>();
        Thread thread = Thread.ofVirtual().name("fuzz-client-", session.connectionId())
                .uncaughtExceptionHandler((t, e) -> uncaught.set(e))
                .unstarted(session);
        thread.start();
        boolean ended = thread.join(limit);
        StackTraceElement[] stuckAt = null;
        if (!ended) {
            stuckAt = thread.getStackTrace();
            transport.abort();
            session.terminate();
            thread.join(Duration.ofSeconds(10));
        }
        int borrowed = services.pools().all().stream().mapToInt(BackendPool::borrowed).sum();
        return new Run(ended, stuckAt, uncaught.get(), List.copyOf(logged), List.copyOf(transport.errors()), transport.packetsWritten(),
                transport.bytesWritten(), borrowed, registry.size(), transport.closeCalls(), transport.silencesWaitedOut());
    }
}
