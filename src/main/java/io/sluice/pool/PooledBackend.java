package io.sluice.pool;

import io.sluice.backend.BackendConnection;
import io.sluice.session.BackendState;

/** A physical backend connection as the pool knows it: the connection and the session state Sluice last left it in. */
public final class PooledBackend {
    private final BackendConnection connection;
    private final BackendState state = new BackendState();

    PooledBackend(BackendConnection connection) {
        this.connection = connection;
        // Fresh from Connector/J: no default schema (the JDBC URL names none) and multi-statements off.
        state.schema(null);
        state.multiStatements(false);
    }

    public BackendConnection connection() {
        return connection;
    }

    public BackendState state() {
        return state;
    }
}
