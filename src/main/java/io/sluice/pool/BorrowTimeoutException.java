package io.sluice.pool;

import java.time.Duration;

/** No backend connection became free in time, or too many clients were waiting for one already. */
public final class BorrowTimeoutException extends Exception {
    private BorrowTimeoutException(String message) {
        super(message, null, false, false);
    }

    /** @param maxSize how many connections the pool holds at most now, and which setting says so */
    static BorrowTimeoutException timedOut(String pool, Duration timeout, String maxSize) {
        return new BorrowTimeoutException("Timed-out waiting to acquire database connection: all " + maxSize
                + " in use in pool " + pool + " for " + timeout.toMillis() + " ms; see sluice.pool.max-size and "
                + "sluice.pool.borrow-timeout, and what holds the connections (long transactions, pinned sessions)");
    }

    static BorrowTimeoutException queueFull(String pool, int maxWaiting, String maxSize) {
        return new BorrowTimeoutException("Too many clients waiting for a database connection: all " + maxSize
                + " in use in pool " + pool + " and " + maxWaiting + " clients queued already; see sluice.pool.max-size "
                + "and sluice.pool.max-waiting");
    }
}
