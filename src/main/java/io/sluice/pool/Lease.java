package io.sluice.pool;

import java.sql.Connection;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One borrowing of a backend connection; give it back exactly once with {@link BackendPool#release}.
 *
 * <p>Between two statements a client may <em>park</em> its lease instead of giving it back: it keeps the backend
 * for its next statement (no borrowing, no state replay) unless another client needs a connection first, or the
 * affinity time passes; then the pool takes the parked lease away. Holder and pool race for a parked lease with
 * one compare-and-set, so exactly one of them gets it.
 */
public final class Lease {
    private static final int HELD = 0;
    private static final int PARKED = 1;
    private static final int TAKEN = 2;

    private final BackendPool pool;
    private final Connection pooled;
    private final PooledBackend backend;
    private final boolean foundRows;
    private final AtomicInteger state = new AtomicInteger(HELD);
    private volatile long parkedAt;
    /** Parked by a client that left: nobody will take it back but the pool (see BackendPool#leave). */
    private volatile boolean holderLeft;
    /** Holder and pool janitor may both try to give it back; only the first counts. */
    private final AtomicBoolean released = new AtomicBoolean();
    /** Why the holder is pinned to this backend (empty when it is not): read by the pool to explain a full pool. */
    private volatile java.util.Set<io.sluice.session.PinReason> pins = java.util.Set.of();

    Lease(BackendPool pool, Connection pooled, PooledBackend backend, boolean foundRows) {
        this.pool = pool;
        this.pooled = pooled;
        this.backend = backend;
        this.foundRows = foundRows;
    }

    public PooledBackend backend() {
        return backend;
    }

    public BackendPool pool() {
        return pool;
    }

    public boolean foundRows() {
        return foundRows;
    }

    Connection pooled() {
        return pooled;
    }

    /** The holder uses the backend now (not parked, not taken away). */
    public boolean held() {
        return state.get() == HELD;
    }

    public boolean parked() {
        return state.get() == PARKED;
    }

    /** The holder takes its parked lease back; false when the pool took it first (the holder must borrow anew). */
    public boolean resume() {
        return state.compareAndSet(PARKED, HELD);
    }

    boolean park() {
        parkedAt = System.nanoTime();
        return state.compareAndSet(HELD, PARKED);
    }

    /** The pool takes a parked lease away from its holder. */
    boolean take() {
        return state.compareAndSet(PARKED, TAKEN);
    }

    long parkedAt() {
        return parkedAt;
    }

    /** Taken by the janitor past the affinity time, on its way back to Agroal. */
    private volatile boolean expiring;

    void expiring() {
        expiring = true;
    }

    boolean isExpiring() {
        return expiring;
    }

    void holderLeft() {
        holderLeft = true;
    }

    boolean unheld() {
        return holderLeft;
    }

    /** The holder's pin reasons, kept current by the holder (the pool reads them from other threads). */
    public void pinnedFor(java.util.Set<io.sluice.session.PinReason> reasons) {
        pins = reasons.isEmpty() ? java.util.Set.of() : java.util.Set.copyOf(reasons);
    }

    public java.util.Set<io.sluice.session.PinReason> pins() {
        return pins;
    }

    boolean markReleased() {
        return released.compareAndSet(false, true);
    }
}
