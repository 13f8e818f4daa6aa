package io.sluice.app;

import io.agroal.api.AgroalDataSourceMetrics;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.sluice.backend.ConnectorJClassPath;
import io.sluice.config.SluiceConfig;
import io.sluice.credentials.CredentialSource;
import io.sluice.credentials.CredentialStatus;
import io.sluice.frontend.ClientListener;
import io.sluice.frontend.ClientRegistry;
import io.sluice.observe.HealthChecks;
import io.sluice.observe.ProxyState;
import io.sluice.observe.SluiceMetrics;
import io.sluice.pool.BackendPool;
import io.sluice.pool.BackendPools;
import io.sluice.pool.FleetBudget;
import io.sluice.pool.TargetProbe;
import io.sluice.protocol.CommandType;
import io.sluice.session.PinReason;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;

import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts Sluice with the application and stops it gracefully: target, pools, listener on the way up; on
 * SIGTERM readiness down at once, no new clients, idle clients closed, clients inside a transaction given
 * {@code sluice.shutdown.grace} to finish, then the rest told ERR 1053.
 */
@ApplicationScoped
public class SluiceServer implements ProxyState {
    private static final Logger LOG = Logger.getLogger(SluiceServer.class);

    @Inject
    SluiceConfig config;
    @Inject
    CredentialSource credentials;
    @Inject
    Vertx vertx;
    @Inject
    SluiceMetrics metrics;

    private final TargetResolver targets = new TargetResolver();
    private BackendPools pools;
    private ClientRegistry registry;
    private ClientListener listener;
    private TargetProbe probe;
    private volatile boolean started;
    private volatile boolean draining;

    void onStart(@Observes StartupEvent event) throws Exception {
        // Before any lookup: failover changes what the backend's name resolves to.
        Security.setProperty("networkaddress.cache.ttl", Long.toString(Math.max(0, config.backend().dnsTtl().toSeconds())));
        if (credentials.users().isEmpty()) {
            LOG.warn("No users configured (sluice.users.\"<name>\".password or .secret-id): every client will be refused");
        }
        // Dev mode only has something to do: there Connector/J's class loader does not see Sluice's classes.
        ConnectorJClassPath.exposeSocketFactory();
        var target = targets.resolve(config, credentials);
        registerCredentialMeters();
        probe = new TargetProbe(target, config.backend().healthTimeout());
        metrics.gauge(SluiceMetrics.READY, "1 while /q/health/ready is UP: credentials loaded, every target reachable, not draining",
                Tags.empty(), this, s -> HealthChecks.readiness(s).getStatus() == HealthCheckResponse.Status.UP ? 1 : 0);
        metrics.gauge(SluiceMetrics.DATABASE_REACHABLE, "1 while the target answers with a handshake and accepts Sluice's login",
                Tags.of("target", target.name()), this, s -> s.targets().values().stream().allMatch(Check::ok) ? 1 : 0);
        pools = new BackendPools(target, credentials, config, metrics);
        pools.onCreate(this::registerPoolMeters);
        registry = new ClientRegistry(config.maxClientConnections());
        // Every meter whose labels are known now exists from start, at zero: pins, commands, and each user's pool.
        metrics.countFromStart(java.util.Arrays.stream(PinReason.values()).map(PinReason::label).toList(), CommandType.names());
        credentials.users().forEach(pools::forUser);
        credentials.users().stream().findFirst().ifPresent(user -> Thread.ofVirtual().name("sluice-probe").start(() -> pools.probe(user)));
        listener = new ClientListener(vertx, config, pools, registry, metrics);
        metrics.gauge(SluiceMetrics.CLIENT_PACKET_BYTES, "Bytes of packets received from clients and not yet served, all clients together "
                + "(bounded by sluice.client.max-packet-bytes-total)", Tags.empty(), listener, l -> l.packetBytesHeld());
        listener.start(Duration.ofSeconds(30));
        started = true;
        credentials.users().stream().findFirst().ifPresent(user -> LOG.infof(
                "Connect with: mysql -h %s -P %d -u %s -p%s", config.listen().host(), listener.port(), user,
                LaunchMode.current() == LaunchMode.DEVELOPMENT
                        ? "   (dev mode: the password of '" + user + "' is in application.properties)" : ""));
    }

    void onStop(@Observes ShutdownEvent event) throws Exception {
        drain();
        if (listener != null) {
            listener.stop();
        }
        if (pools != null) {
            pools.close();
        }
        targets.close();
    }

    /**
     * Readiness down, listener closed, idle clients closed, clients inside a transaction given the grace period
     * to finish, then ERR 1053 for the rest. Idempotent: SIGTERM runs it before Quarkus stops, shutdown again.
     */
    public synchronized void drain() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            drainClients();
        } catch (Exception e) {
            LOG.warnf(e, "draining clients failed");
        }
    }

    private void drainClients() throws Exception {
        if (listener != null) {
            listener.stopAccepting();
        }
        if (registry != null && registry.size() > 0) {
            LOG.infof("Draining %d client connections (up to %s)", registry.size(), config.shutdown().grace());
            registry.drain();
            long deadline = System.nanoTime() + config.shutdown().grace().toNanos();
            while (registry.size() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (registry.size() > 0) {
                LOG.infof("Grace period over: closing %d client connections", registry.size());
                registry.terminate();
                long last = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (registry.size() > 0 && System.nanoTime() < last) {
                    Thread.sleep(20);
                }
            }
        }
    }

    private void registerCredentialMeters() {
        for (String user : credentials.users()) {
            Tags tags = Tags.of("user", user);
            String help = "Secret fetches from AWS Secrets Manager, by outcome";
            metrics.counter(SluiceMetrics.SECRET_REFRESHES, help, tags.and("outcome", "success"), credentials,
                    c -> status(c, user).refreshes());
            metrics.counter(SluiceMetrics.SECRET_REFRESHES, help, tags.and("outcome", "failure"), credentials,
                    c -> status(c, user).failures());
            metrics.gauge(SluiceMetrics.CREDENTIAL_AGE + ".seconds", "Time since the user's credentials were last fetched (0 if never fetched)",
                    tags, credentials, c -> {
                        var refreshed = status(c, user).lastRefresh();
                        return refreshed == null ? 0 : java.time.Duration.between(refreshed, java.time.Instant.now()).toMillis() / 1000.0;
                    });
        }
    }

    private static CredentialStatus status(CredentialSource source, String user) {
        CredentialStatus s = source.status().get(user);
        return s == null ? CredentialStatus.configured("config") : s;
    }

    private void registerPoolMeters(BackendPool pool) {
        Tags tags = Tags.of("target", pool.target().name(), "user", pool.user());
        String help = "Backend connections by state (DatabaseConnections, DatabaseConnectionsCurrentlyBorrowed, ...CurrentlySessionPinned)";
        metrics.gauge(SluiceMetrics.DATABASE_CONNECTIONS, help, tags.and("state", "idle"), pool, BackendPool::idle);
        metrics.gauge(SluiceMetrics.DATABASE_CONNECTIONS, help, tags.and("state", "borrowed"), pool, p -> p.borrowed() - registry.pinnedBackends(p));
        metrics.gauge(SluiceMetrics.DATABASE_CONNECTIONS, help, tags.and("state", "pinned"), pool, p -> registry.pinnedBackends(p));
        metrics.gauge(SluiceMetrics.DATABASE_CONNECTIONS_IN_TRANSACTION, "Backend connections inside a transaction (DatabaseConnectionsCurrentlyInTransaction)",
                tags, pool, p -> registry.inTransaction(p));
        metrics.gauge(SluiceMetrics.DATABASE_CONNECTIONS_MAX, "sluice.pool.max-size (MaxDatabaseConnectionsAllowed)", tags, pool, BackendPool::maxSize);
        metrics.gauge(SluiceMetrics.CLIENTS_WAITING, "Clients waiting for a backend connection", tags, pool, BackendPool::waiting);
        for (io.sluice.session.PinReason reason : io.sluice.session.PinReason.values()) {
            metrics.gauge(SluiceMetrics.PINNED_BACKENDS, "Backend connections pinned to their clients now, by pin reason "
                    + "(a connection pinned for two reasons counts under both)", tags.and("reason", reason.label()), pool,
                    p -> p.pinReasons().getOrDefault(reason, 0));
        }
        pools.fleet(pool).ifPresent(fleet -> {
            metrics.gauge(SluiceMetrics.FLEET_SHARE, "Backend connections this instance's pool may hold now: its share of the fleet budget",
                    tags, fleet, FleetBudget::limit);
            metrics.gauge(SluiceMetrics.FLEET_INSTANCES, "Sluice instances seen sharing the database and user at the last count",
                    tags, fleet, FleetBudget::instances);
            metrics.gauge(SluiceMetrics.FLEET_BUDGET, "The fleet's connection budget (sluice.fleet.*) at the last count", tags, fleet, FleetBudget::budget);
            metrics.gauge(SluiceMetrics.FLEET_DATABASE_MAX_CONNECTIONS, "The database's max_connections at the last count",
                    tags, fleet, FleetBudget::databaseMaxConnections);
        });
        // Agroal's own pool metrics, as quarkus-agroal names them, for each of the pool's Agroal data sources.
        Thread.ofVirtual().start(() -> registerAgroalMeters(pool));
    }

    private void registerAgroalMeters(BackendPool pool) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!draining) {
            pool.dataSources().forEach((name, ds) -> {
                if (seen.add(name)) {
                    Tags tags = Tags.of("datasource", name);
                    AgroalDataSourceMetrics m = ds.getMetrics();
                    metrics.gauge("agroal.active.count", "Connections in use", tags, m, AgroalDataSourceMetrics::activeCount);
                    metrics.gauge("agroal.available.count", "Idle connections", tags, m, AgroalDataSourceMetrics::availableCount);
                    metrics.gauge("agroal.max.used.count", "Most connections in use at once", tags, m, AgroalDataSourceMetrics::maxUsedCount);
                    metrics.gauge("agroal.awaiting.count", "Threads waiting for a connection", tags, m, AgroalDataSourceMetrics::awaitingCount);
                    metrics.counter("agroal.acquire.count", "Connections acquired", tags, m, AgroalDataSourceMetrics::acquireCount);
                    metrics.counter("agroal.creation.count", "Connections created", tags, m, AgroalDataSourceMetrics::creationCount);
                    metrics.counter("agroal.destroy.count", "Connections destroyed", tags, m, AgroalDataSourceMetrics::destroyCount);
                    metrics.counter("agroal.flush.count", "Connections flushed", tags, m, AgroalDataSourceMetrics::flushCount);
                    metrics.counter("agroal.invalid.count", "Connections found invalid", tags, m, AgroalDataSourceMetrics::invalidCount);
                    metrics.counter("agroal.reap.count", "Idle connections reaped", tags, m, AgroalDataSourceMetrics::reapCount);
                    metrics.gauge("agroal.creation.time.average", "Average time to create a connection (ms)", tags, m, x -> x.creationTimeAverage().toMillis());
                    metrics.gauge("agroal.blocking.time.average", "Average time blocked waiting for a connection (ms)", tags, m, x -> x.blockingTimeAverage().toMillis());
                }
            });
            if (seen.size() == 2) {
                return;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---- ProxyState, for the health checks ----

    @Override
    public boolean started() {
        return started;
    }

    @Override
    public boolean draining() {
        return draining;
    }

    @Override
    public List<String> unresponsiveEventLoops(Duration timeout) {
        if (listener == null) {
            return List.of();
        }
        List<Context> loops = listener.eventLoops();
        CountDownLatch answered = new CountDownLatch(loops.size());
        loops.forEach(c -> c.runOnContext(v -> answered.countDown()));
        try {
            if (answered.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return List.of();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<String> stuck = new ArrayList<>();
        stuck.add(answered.getCount() + " of " + loops.size() + " event loops did not answer within " + timeout.toMillis() + " ms");
        return stuck;
    }

    @Override
    public boolean sessionThreadsRun(Duration timeout) {
        CountDownLatch ran = new CountDownLatch(1);
        Thread.ofVirtual().name("sluice-liveness").start(ran::countDown);
        try {
            return ran.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public Map<String, Check> targets() {
        if (pools == null) {
            return Map.of();
        }
        String problem = probe.problem();
        if (problem == null) {
            // Reachable; a login the server refuses, or a backend that cannot track sessions, is a problem too.
            for (BackendPool pool : pools.all()) {
                if (pool.refusal() != null) {
                    problem = pool.refusal();
                }
            }
        }
        return Map.of(pools.target().name(), new Check(problem == null, problem == null ? "reachable" : problem));
    }

    @Override
    public Map<String, String> fleet() {
        Map<String, String> out = new LinkedHashMap<>();
        if (pools != null) {
            for (BackendPool pool : pools.all()) {
                pools.fleet(pool).ifPresent(fleet -> out.put(pool.name(), fleet.detail()));
            }
        }
        return out;
    }

    @Override
    public Map<String, Check> credentials() {
        Map<String, Check> out = new LinkedHashMap<>();
        Map<String, CredentialStatus> status = credentials.status();
        for (String user : credentials.users()) {
            CredentialStatus s = status.get(user);
            if (s == null) {
                out.put(user, new Check(true, "configured"));
            } else if (!s.loaded()) {
                out.put(user, new Check(false, "not loaded: " + s.lastError()));
            } else {
                out.put(user, new Check(true, s.lastError() == null ? s.source() + " ok"
                        : s.source() + " serving cached credentials: " + s.lastError()));
            }
        }
        return out;
    }

    @Override
    public Map<String, Check> pins() {
        if (pools == null) {
            return Map.of();
        }
        Map<String, Check> out = new LinkedHashMap<>();
        for (BackendPool pool : pools.all()) {
            int pinned = pool.pinnedCount();
            if (pinned == 0) {
                continue;
            }
            String reasons = pool.pinReasons().entrySet().stream().map(e -> e.getKey().label() + " " + e.getValue())
                    .collect(java.util.stream.Collectors.joining(", "));
            int waiting = pool.waiting();
            boolean exhausted = pinned >= pool.maxSize() && waiting > 0;
            out.put(pool.name(), new Check(!exhausted, pinned + " of " + pool.maxSize() + " backends pinned (" + reasons + ")"
                    + (waiting > 0 ? ", " + waiting + " clients waiting" : "")));
        }
        return out;
    }

    public BackendPools pools() {
        return pools;
    }

    public ClientRegistry registry() {
        return registry;
    }

    public int port() {
        return listener.port();
    }
}
