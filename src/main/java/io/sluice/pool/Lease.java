package io.sluice.pool;

import java.sql.Connection;

/** One borrowing of a backend connection; give it back exactly once with {@link BackendPool#release}. */
public final class Lease {
    private final BackendPool pool;
    private final Connection pooled;
    private final PooledBackend backend;
    private final boolean foundRows;
    private boolean released;

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

    boolean markReleased() {
        boolean first = !released;
        released = true;
        return first;
    }
}
