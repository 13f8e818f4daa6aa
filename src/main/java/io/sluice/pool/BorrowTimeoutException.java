package io.sluice.pool;

import io.sluice.session.PinReason;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** No backend connection became free within the borrow timeout. */
public final class BorrowTimeoutException extends Exception {
    /**
     * @param pinned backends pinned right now, by the reasons their clients are pinned for (a backend with two
     *               reasons counts under both): when pins are what fills the pool, the message says so
     */
    public BorrowTimeoutException(String pool, Duration timeout, int maxSize, int pinnedBackends, Map<PinReason, Integer> pinned) {
        super(message(pool, timeout, maxSize, pinnedBackends, pinned), null, false, false);
    }

    private static String message(String pool, Duration timeout, int maxSize, int pinnedBackends, Map<PinReason, Integer> pinned) {
        String base = "Timed out after " + timeout.toMillis() + " ms waiting for a backend connection from pool " + pool
                + " (all " + maxSize + " in use";
        if (pinnedBackends == 0) {
            return base + "; see sluice.pool.max-size and sluice.pool.borrow-timeout)";
        }
        String reasons = pinned.entrySet().stream().map(e -> e.getKey().label() + " " + e.getValue()).collect(Collectors.joining(", "));
        return base + ", " + pinnedBackends + " of them pinned to their clients until they disconnect: " + reasons
                + "; see sluice.pinning.exemptions, sluice.pool.max-size and sluice.pool.borrow-timeout)";
    }
}
