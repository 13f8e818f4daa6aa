package io.sluice.pool;

import io.sluice.session.PinReason;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** No backend connection became free in time, or too many clients were waiting for one already. */
public final class BorrowTimeoutException extends Exception {
    private BorrowTimeoutException(String message) {
        super(message, null, false, false);
    }

    /**
     * @param maxSize how many connections the pool holds at most now, and which setting says so
     * @param pinned backends pinned right now, by the reasons their clients are pinned for (a backend with two
     *               reasons counts under both): when pins are what fills the pool, the message says so
     */
    static BorrowTimeoutException timedOut(String pool, Duration timeout, String maxSize, int pinnedBackends,
                                           Map<PinReason, Integer> pinned) {
        String base = "Timed-out waiting to acquire database connection: all " + maxSize + " in use in pool " + pool
                + " for " + timeout.toMillis() + " ms";
        if (pinnedBackends == 0) {
            return new BorrowTimeoutException(base + "; see sluice.pool.max-size and sluice.pool.borrow-timeout, and "
                    + "what holds the connections (long transactions, pinned sessions)");
        }
        String reasons = pinned.entrySet().stream().map(e -> e.getKey().label() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return new BorrowTimeoutException(base + ", " + pinnedBackends + " of them pinned to their clients until they "
                + "disconnect (" + reasons + "); see sluice.pinning.exemptions, sluice.pool.max-size and "
                + "sluice.pool.borrow-timeout");
    }

    static BorrowTimeoutException queueFull(String pool, int maxWaiting, String maxSize) {
        return new BorrowTimeoutException("Too many clients waiting for a database connection: all " + maxSize
                + " in use in pool " + pool + " and " + maxWaiting + " clients queued already; see sluice.pool.max-size "
                + "and sluice.pool.max-waiting");
    }
}
