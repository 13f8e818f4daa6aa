package io.sluice.pool;

import java.time.Duration;

/** No backend connection became free within the borrow timeout. */
public final class BorrowTimeoutException extends Exception {
    public BorrowTimeoutException(String pool, Duration timeout, int maxSize) {
        super("Timed out after " + timeout.toMillis() + " ms waiting for a backend connection from pool " + pool
                + " (all " + maxSize + " in use; see sluice.pool.max-size and sluice.pool.borrow-timeout)", null, false, false);
    }
}
