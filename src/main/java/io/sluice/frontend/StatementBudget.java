package io.sluice.frontend;

import io.sluice.config.SluiceConfig;
import io.sluice.protocol.ErrPacket;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How many prepared statements clients may hold, and how much memory: each client its share
 * ({@code sluice.client.max-prepared-statements}, {@code max-prepared-statement-bytes}), all clients together
 * {@code max-prepared-statement-bytes-total}. A server bounds statements the same way (max_prepared_stmt_count), and
 * a client past a bound gets the error it would give, ER_MAX_PREPARED_STMT_COUNT_REACHED; no one else notices.
 *
 * <p>A statement's cost is counted as twice its packet's length: Sluice keeps the packet (to prepare it again on
 * another backend) and its SQL as text (the key of each backend's statement cache).
 */
final class StatementBudget {
    private static final int ER_MAX_PREPARED_STMT_COUNT_REACHED = 1461;

    private final int maxStatements;
    private final long maxBytes;
    private final long maxBytesTotal;
    private final AtomicLong bytesTotal = new AtomicLong();

    StatementBudget(int maxStatements, long maxBytes, long maxBytesTotal) {
        this.maxStatements = maxStatements;
        this.maxBytes = maxBytes;
        this.maxBytesTotal = maxBytesTotal;
    }

    static StatementBudget of(SluiceConfig.Client config) {
        long total = config.maxPreparedStatementBytesTotal().map(m -> m.asLongValue()).orElse(Runtime.getRuntime().maxMemory() / 8);
        return new StatementBudget(config.maxPreparedStatements(), config.maxPreparedStatementBytes().asLongValue(), total);
    }

    /** What a statement prepared from a packet of {@code packetLength} bytes costs. */
    static long cost(int packetLength) {
        return 2L * packetLength;
    }

    /** Bytes all clients' statements hold now. */
    long bytesTotal() {
        return bytesTotal.get();
    }

    /** One client's share. Not thread-safe: used by its session's thread only. */
    Share share() {
        return new Share();
    }

    final class Share {
        private int statements;
        private long bytes;

        /** Takes what a statement costs; null when it fits, else the error for the client (and nothing is taken). */
        ErrPacket take(long cost) {
            if (statements >= maxStatements) {
                return refusal("Can't create more than max_prepared_stmt_count statements (current value: " + maxStatements + ")");
            }
            if (bytes + cost > maxBytes) {
                return refusal("Can't create more prepared statements: they would hold more than sluice.client.max-prepared-statement-bytes ("
                        + maxBytes + " bytes) for this connection");
            }
            if (bytesTotal.addAndGet(cost) > maxBytesTotal) {
                bytesTotal.addAndGet(-cost);
                return refusal("Can't create more prepared statements: all connections' would hold more than "
                        + "sluice.client.max-prepared-statement-bytes-total (" + maxBytesTotal + " bytes)");
            }
            statements++;
            bytes += cost;
            return null;
        }

        void give(long cost) {
            statements--;
            bytes -= cost;
            bytesTotal.addAndGet(-cost);
        }

        /** The client's statements are gone (reset, change user, disconnect). */
        void giveAll() {
            bytesTotal.addAndGet(-bytes);
            statements = 0;
            bytes = 0;
        }

        private ErrPacket refusal(String message) {
            return new ErrPacket(ER_MAX_PREPARED_STMT_COUNT_REACHED, "42000", message);
        }
    }
}
