package io.sluice.pool;

import io.sluice.backend.BackendConnection;
import io.sluice.config.SluiceConfig;
import io.sluice.credentials.Credential;
import io.sluice.credentials.CredentialSource;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** Every backend pool, one per (target, user), created on first use. */
public final class BackendPools implements AutoCloseable {
    /** MariaDB's and MySQL 8's utf8mb4_general_ci, announced until the backend has been reached once. */
    private static final int FALLBACK_COLLATION = 45;
    /** Proposed until the backend has been reached once: every client and server knows it. */
    private static final String FALLBACK_AUTH_PLUGIN = "mysql_native_password";

    private final Target target;
    private final CredentialSource credentials;
    private final SluiceConfig config;
    private final Map<String, BackendPool> pools = new ConcurrentHashMap<>();
    /** Per user, when a fleet budget is set (sluice.fleet.*). */
    private final Map<String, FleetBudget> fleet = new ConcurrentHashMap<>();
    private volatile ServerIdentity identity;
    private final java.util.concurrent.CompletableFuture<ServerIdentity> learned = new java.util.concurrent.CompletableFuture<>();

    private final io.sluice.observe.Telemetry telemetry;
    private final java.util.List<Consumer<BackendPool>> onCreate = new java.util.concurrent.CopyOnWriteArrayList<>();

    public BackendPools(Target target, CredentialSource credentials, SluiceConfig config, io.sluice.observe.Telemetry telemetry) {
        this.telemetry = telemetry;
        this.target = target;
        this.credentials = credentials;
        this.config = config;
        this.identity = new ServerIdentity(config.backend().fallbackServerVersion(), FALLBACK_COLLATION, FALLBACK_AUTH_PLUGIN);
    }

    public Target target() {
        return target;
    }

    /** The pool serving {@code user}, or empty for a user Sluice does not know. */
    public Optional<BackendPool> forUser(String user) {
        // Known users only; their login (maybe an IAM token) is made when a connection is opened, not here.
        if (!credentials.users().contains(user)) {
            return Optional.empty();
        }
        return Optional.of(pools.computeIfAbsent(user, u -> {
            var tlsMode = io.sluice.backend.BackendTls.effectiveMode(config.backend().tls().mode(), target.host());
            var tls = io.sluice.backend.BackendTls.properties(tlsMode, config.backend().tls().caFile(), credentials.usesIamAuth(u));
            Map<String, String> jdbc = new java.util.HashMap<>(config.backend().jdbcProperties());
            if (!config.backend().socketTimeout().isZero()) {
                jdbc.putIfAbsent("socketTimeout", Long.toString(config.backend().socketTimeout().toMillis()));
            }
            BackendPool pool = new BackendPool(target, u, credentials, config.pool(), tls, jdbc, this::learn,
                    telemetry.pool(target.name(), u));
            if (config.fleet().enabled()) {
                // Every configured user has a pool of this instance, and they split its share.
                FairShare share = new FairShare(config.fleet().maxConnectionsPercent(), config.fleet().maxConnections(),
                        config.pool().maxSize(), credentials.users().size());
                FleetBudget budget = new FleetBudget(pool, share, config.fleet().interval());
                fleet.put(u, budget);
                budget.start();
            }
            onCreate.forEach(listener -> listener.accept(pool));
            return pool;
        }));
    }

    /** Called for every pool as it is created (to register its gauges, say). */
    public void onCreate(Consumer<BackendPool> listener) {
        onCreate.add(listener);
    }

    /** The fleet budget keeping {@code pool} to its share, or empty when no budget is set. */
    public Optional<FleetBudget> fleet(BackendPool pool) {
        return Optional.ofNullable(fleet.get(pool.user()));
    }

    public Collection<BackendPool> all() {
        return pools.values();
    }

    /** How the backend introduced itself, or the configured fallback if it has not been reached yet. */
    public ServerIdentity identity() {
        return announced(identity);
    }

    private ServerIdentity announced(ServerIdentity learned) {
        return config.backend().serverVersion().map(v -> new ServerIdentity(v, learned.collationId(), learned.authPlugin())).orElse(learned);
    }

    /** The backend's identity if it has been learned, without waiting; empty before. */
    public Optional<ServerIdentity> learnedIdentity() {
        return learned.isDone() && !learned.isCompletedExceptionally() ? Optional.of(announced(learned.join())) : Optional.empty();
    }

    /**
     * Waits up to {@code timeout} for the backend's identity. Clients pick SQL dialect and collation by the
     * version they are told, so telling them a guess is a last resort.
     */
    public ServerIdentity identity(java.time.Duration timeout) {
        try {
            return announced(learned.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return identity();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return identity();
        }
    }

    /**
     * Learns the backend's identity from its handshake, without logging in, so that it is known before the first
     * client arrives; then warms {@code user}'s pool. Failure is fine: the next successful connection teaches the same.
     */
    public void probe(String user) {
        new TargetProbe(target, config.backend().healthTimeout()).identity().ifPresent(seen -> {
            identity = seen;
            learned.complete(seen);
        });
        forUser(user).ifPresent(pool -> {
            try {
                pool.release(pool.borrow(true, System.nanoTime() + config.pool().borrowTimeout().toNanos()), Release.KEEP, "probe");
            } catch (Exception e) {
                org.jboss.logging.Logger.getLogger(BackendPools.class).warnf("Backend %s not reachable yet: %s", target, e.getMessage());
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    private void learn(BackendConnection connection) {
        ServerIdentity seen = new ServerIdentity(connection.serverVersion(), connection.serverCollationId(), connection.serverAuthPlugin());
        if (!seen.equals(identity)) {
            identity = seen;
        }
        learned.complete(seen);
    }

    /** The passwords a client may prove to log in as {@code user} (see {@link CredentialSource#clientCredentials}). */
    public java.util.List<Credential> clientCredentials(String user) {
        return credentials.clientCredentials(user);
    }

    @Override
    public void close() {
        fleet.values().forEach(FleetBudget::close);
        fleet.clear();
        pools.values().forEach(BackendPool::close);
        pools.clear();
    }
}
