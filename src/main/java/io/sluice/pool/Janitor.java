package io.sluice.pool;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thread that runs the pools' timed chores (giving back backends parked past the affinity time), for every
 * pool. A chore is scheduled only when there is something to do, so the thread sleeps while nothing is parked: an
 * idle Sluice wakes for nothing. Chores must not block; one that needs the database hands it to a virtual thread.
 */
public final class Janitor {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("sluice-janitor").factory());
    private static final AtomicLong RUNS = new AtomicLong();

    private Janitor() {
    }

    /** Runs {@code chore} on the janitor's thread after {@code nanos}. */
    static void after(long nanos, Runnable chore) {
        TIMER.schedule(() -> {
            RUNS.incrementAndGet();
            chore.run();
        }, nanos, TimeUnit.NANOSECONDS);
    }

    /** Chores run so far, all pools together: how often the janitor woke. */
    public static long runs() {
        return RUNS.get();
    }
}
