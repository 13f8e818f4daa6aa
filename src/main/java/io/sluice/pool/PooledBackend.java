package io.sluice.pool;

import io.sluice.backend.BackendConnection;
import io.sluice.session.BackendState;

/**
 * A physical backend connection as the pool knows it: the connection, the session state Sluice last saw it
 * in, and the statements prepared on it.
 */
public final class PooledBackend {
    private final BackendConnection connection;
    private final BackendState state = BackendState.fresh();
    private final StatementCache statements;

    PooledBackend(BackendConnection connection, int statementCacheSize, long statementCacheBytes) {
        this.connection = connection;
        this.statements = new StatementCache(statementCacheSize, statementCacheBytes);
    }

    public BackendConnection connection() {
        return connection;
    }

    public BackendState state() {
        return state;
    }

    public StatementCache statements() {
        return statements;
    }
}
