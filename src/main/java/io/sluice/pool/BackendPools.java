package io.sluice.pool;

import io.sluice.backend.BackendConnection;
import io.sluice.config.SluiceConfig;
import io.sluice.credentials.Credential;
import io.sluice.credentials.CredentialSource;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Every backend pool, one per (target, user), created on first use. */
public final class BackendPools implements AutoCloseable {
    /** MariaDB's and MySQL 8's utf8mb4_general_ci, announced until the backend has been reached once. */
    private static final int FALLBACK_COLLATION = 45;

    private final Target target;
    private final CredentialSource credentials;
    private final SluiceConfig config;
    private final Map<String, BackendPool> pools = new ConcurrentHashMap<>();
    private volatile ServerIdentity identity;

    public BackendPools(Target target, CredentialSource credentials, SluiceConfig config) {
        this.target = target;
        this.credentials = credentials;
        this.config = config;
        this.identity = new ServerIdentity(config.backend().fallbackServerVersion(), FALLBACK_COLLATION);
    }

    public Target target() {
        return target;
    }

    /** The pool serving {@code user}, or empty for a user Sluice does not know. */
    public Optional<BackendPool> forUser(String user) {
        if (credentials.lookup(user).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(pools.computeIfAbsent(user, u -> new BackendPool(target,
                () -> credentials.lookup(u).orElseThrow(() -> new IllegalStateException("user " + u + " is no longer configured")),
                config.pool(), config.backend().jdbcProperties(), this::learn)));
    }

    public Collection<BackendPool> all() {
        return pools.values();
    }

    public ServerIdentity identity() {
        return identity;
    }

    private void learn(BackendConnection connection) {
        ServerIdentity seen = new ServerIdentity(connection.serverVersion(), connection.serverCollationId());
        if (!seen.equals(identity)) {
            identity = seen;
        }
    }

    public Optional<Credential> credential(String user) {
        return credentials.lookup(user);
    }

    @Override
    public void close() {
        pools.values().forEach(BackendPool::close);
        pools.clear();
    }
}
