package io.sluice.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * Every {@code sluice_*} meter, named here and nowhere else. Micrometer names use dots; the Prometheus
 * registry turns {@code sluice.queries} into {@code sluice_queries_total} and timers into {@code _seconds}.
 * docs/operations.md maps each to its Amazon RDS Proxy CloudWatch counterpart.
 */
// A singleton, not application-scoped: no client proxy, whose context lookup ran on every meter call of the hot path
// (four a query; about 1 % of Sluice's CPU in a connect/SELECT 1/disconnect profile).
@Singleton
public class SluiceMetrics implements Telemetry {
    public static final String CLIENT_CONNECTIONS = "sluice.client.connections";
    public static final String CLIENT_CONNECTIONS_OPENED = "sluice.client.connections.opened";
    public static final String CLIENT_CONNECTIONS_CLOSED = "sluice.client.connections.closed";
    public static final String CLIENT_CONNECTIONS_REJECTED = "sluice.client.connections.rejected";
    public static final String CLIENT_TLS_CONNECTIONS = "sluice.client.tls.connections";
    public static final String CLIENT_PACKET_BYTES = "sluice.client.packet.bytes";
    public static final String AUTH_FAILURES = "sluice.auth.failures";
    public static final String DATABASE_CONNECTIONS = "sluice.database.connections";
    public static final String DATABASE_CONNECTIONS_IN_TRANSACTION = "sluice.database.connections.in.transaction";
    public static final String DATABASE_CONNECTIONS_CREATED = "sluice.database.connections.created";
    public static final String DATABASE_CONNECTIONS_CLOSED = "sluice.database.connections.closed";
    public static final String DATABASE_CONNECTION_SETUP_FAILURES = "sluice.database.connection.setup.failures";
    public static final String DATABASE_CONNECTIONS_MAX = "sluice.database.connections.max";
    public static final String BORROW = "sluice.database.connection.borrow";
    public static final String BORROW_TIMEOUTS = "sluice.database.connection.borrow.timeouts";
    public static final String CLIENTS_WAITING = "sluice.clients.waiting";
    public static final String QUERIES = "sluice.queries";
    public static final String QUERY_ERRORS = "sluice.query.errors";
    public static final String QUERY_DATABASE = "sluice.query.database";
    public static final String PINS = "sluice.pins";
    public static final String LOOP_COMMANDS = "sluice.queries.on.event.loop";
    public static final String PINNED_BACKENDS = "sluice.database.connections.pinned";
    public static final String PREPARED = "sluice.prepared.statements";
    public static final String REPREPARED = "sluice.prepared.statements.reprepared";
    public static final String CLIENT_BYTES_RECEIVED = "sluice.client.received";
    public static final String CLIENT_BYTES_SENT = "sluice.client.sent";
    public static final String DATABASE_BYTES_RECEIVED = "sluice.database.received";
    public static final String DATABASE_BYTES_SENT = "sluice.database.sent";
    public static final String SECRET_REFRESHES = "sluice.secret.refreshes";
    public static final String CREDENTIAL_AGE = "sluice.credential.age";
    /** 1 while readiness (/q/health/ready) is UP: Prometheus scrapes metrics, not health endpoints. */
    public static final String READY = "sluice.ready";
    /** 1 while a target answers with a handshake and accepts Sluice's login, per target. */
    public static final String DATABASE_REACHABLE = "sluice.database.reachable";

    /** Under a fleet budget (sluice.fleet.*): the connections this instance's pool may hold now, its share. */
    public static final String FLEET_SHARE = "sluice.fleet.share";
    /** Under a fleet budget: the Sluice instances seen sharing the database and user at the last count. */
    public static final String FLEET_INSTANCES = "sluice.fleet.instances";
    /** Under a fleet budget: the fleet's budget at the last count. */
    public static final String FLEET_BUDGET = "sluice.fleet.budget";
    /** Under a fleet budget: the database's max_connections at the last count. */
    public static final String FLEET_DATABASE_MAX_CONNECTIONS = "sluice.fleet.database.max.connections";

    /** Database latency is often well under a millisecond: buckets from 50 µs up. */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    private final AtomicLong clients = new AtomicLong();
    private final AtomicLong tlsClients = new AtomicLong();
    private final Counter opened;
    private final Counter closed;
    private final Counter rejected;
    // Counted on every command, on the event loop: a LongAdder each, read when scraped, rather than a Counter of the
    // composite registry, whose increment walks its registries' meters every time.
    private final LongAdder clientReceived = new LongAdder();
    private final LongAdder clientSent = new LongAdder();
    private final LongAdder databaseReceived = new LongAdder();
    private final LongAdder databaseSent = new LongAdder();
    private final LongAdder loopCommands = new LongAdder();
    private final Counter reprepared;
    private final Counter preparedCached;
    private final Counter preparedAnew;
    private final Map<String, Counter> authFailures = new ConcurrentHashMap<>();
    private final Map<String, Counter> pins = new ConcurrentHashMap<>();
    private final Map<String, QueryMeters> queries = new ConcurrentHashMap<>();

    public SluiceMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(CLIENT_CONNECTIONS, clients, AtomicLong::get).description("Client connections open now (ClientConnections)").register(registry);
        Gauge.builder(CLIENT_TLS_CONNECTIONS, tlsClients, AtomicLong::get).description("Client connections using TLS now (ClientConnectionsTls)").register(registry);
        opened = Counter.builder(CLIENT_CONNECTIONS_OPENED).description("Client connections accepted (ClientConnectionsReceived)").register(registry);
        closed = Counter.builder(CLIENT_CONNECTIONS_CLOSED).description("Client connections closed (ClientConnectionsClosed)").register(registry);
        rejected = Counter.builder(CLIENT_CONNECTIONS_REJECTED).description("Clients turned away at sluice.max-client-connections").register(registry);
        counted(CLIENT_BYTES_RECEIVED, "bytes", "Bytes received from clients", Tags.empty(), clientReceived);
        counted(CLIENT_BYTES_SENT, "bytes", "Bytes sent to clients", Tags.empty(), clientSent);
        counted(DATABASE_BYTES_RECEIVED, "bytes", "Bytes received from backends", Tags.empty(), databaseReceived);
        counted(DATABASE_BYTES_SENT, "bytes", "Bytes sent to backends", Tags.empty(), databaseSent);
        String preparedHelp = "Client prepares, answered from a backend's statement cache or prepared anew";
        counted(LOOP_COMMANDS, null, "Client commands relayed on the event loop, with no thread", Tags.empty(), loopCommands);
        preparedCached = Counter.builder(PREPARED).description(preparedHelp).tag("outcome", "cached").register(registry);
        preparedAnew = Counter.builder(PREPARED).description(preparedHelp).tag("outcome", "prepared").register(registry);
        reprepared = Counter.builder(REPREPARED).description("Statements prepared again on another backend than their first").register(registry);
        Telemetry.AUTH_FAILURE_REASONS.forEach(this::authFailureCounter);
    }

    /**
     * Makes the counters of these pin reasons and client commands exist now, at zero: a rate or an alert on a counter
     * has nothing to read until its series exists, and a missing series is not a zero. Labels come from the wiring,
     * since the vocabularies belong to the session and protocol code.
     */
    public void countFromStart(java.util.Collection<String> pinReasons, java.util.Collection<String> commands) {
        pinReasons.forEach(this::pinCounter);
        commands.forEach(command -> queries.computeIfAbsent(command, QueryMeters::new));
    }

    /** Meters that read their value when scraped, e.g. pool gauges supplied by the application wiring. */
    public <T> void gauge(String name, String description, Tags tags, T source, ToDoubleFunction<T> value) {
        Gauge.builder(name, source, value).description(description).tags(tags).register(registry);
    }

    private void counted(String name, String baseUnit, String description, Tags tags, LongAdder count) {
        counter(name, baseUnit, description, tags, count, LongAdder::sum);
    }

    /** A function counter (monotonic, read when scraped). */
    public <T> void counter(String name, String description, Tags tags, T source, ToDoubleFunction<T> value) {
        counter(name, null, description, tags, source, value);
    }

    private <T> void counter(String name, String baseUnit, String description, Tags tags, T source, ToDoubleFunction<T> value) {
        io.micrometer.core.instrument.FunctionCounter.builder(name, source, value).baseUnit(baseUnit).description(description).tags(tags)
                .register(registry);
    }

    @Override
    public void clientConnected() {
        opened.increment();
        clients.incrementAndGet();
    }

    @Override
    public void clientTls() {
        tlsClients.incrementAndGet();
    }

    @Override
    public void clientDisconnected(boolean tls) {
        closed.increment();
        clients.decrementAndGet();
        if (tls) {
            tlsClients.decrementAndGet();
        }
    }

    @Override
    public void clientRejected() {
        rejected.increment();
    }

    @Override
    public void authFailed(String reason) {
        authFailureCounter(reason).increment();
    }

    private Counter authFailureCounter(String reason) {
        return authFailures.computeIfAbsent(reason, r -> Counter.builder(AUTH_FAILURES)
                .description("Failed client logins by reason (ClientConnectionsSetupFailedAuth)").tag("reason", r).register(registry));
    }

    @Override
    public void query(String command, long databaseNanos, boolean error) {
        QueryMeters m = queries.computeIfAbsent(command, QueryMeters::new);
        m.count.increment();
        if (databaseNanos >= 0) {
            m.latency().record(databaseNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        if (error) {
            m.errors.increment();
        }
    }

    private final class QueryMeters {
        final String command;
        final LongAdder count = new LongAdder();
        final LongAdder errors = new LongAdder();
        /** Made at the first answer: a histogram per command that never runs would be a score of empty series. */
        private volatile Timer latency;

        QueryMeters(String command) {
            this.command = command;
            counted(QUERIES, null, "Client commands served, by command (QueryRequests)", Tags.of("command", command), count);
            counted(QUERY_ERRORS, null, "Client commands answered with an error, by command", Tags.of("command", command), errors);
        }

        Timer latency() {
            Timer t = latency;
            if (t == null) {
                t = Timer.builder(QUERY_DATABASE).description("Time from sending a command to the database to its first answer (QueryDatabaseResponseLatency)")
                        .tag("command", command).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
                latency = t;
            }
            return t;
        }
    }

    @Override
    public void relayedOnLoop() {
        loopCommands.increment();
    }

    @Override
    public void pinned(String reason) {
        pinCounter(reason).increment();
    }

    private Counter pinCounter(String reason) {
        return pins.computeIfAbsent(reason, r -> Counter.builder(PINS)
                .description("Clients pinned to their backend connection, by reason").tag("reason", r).register(registry));
    }

    @Override
    public void statementPrepared(boolean cached) {
        (cached ? preparedCached : preparedAnew).increment();
    }

    @Override
    public void statementReprepared() {
        reprepared.increment();
    }

    @Override
    public void clientBytes(long received, long sent) {
        if (received > 0) {
            clientReceived.add(received);
        }
        if (sent > 0) {
            clientSent.add(sent);
        }
    }

    @Override
    public void databaseBytes(long received, long sent) {
        if (received > 0) {
            databaseReceived.add(received);
        }
        if (sent > 0) {
            databaseSent.add(sent);
        }
    }

    @Override
    public PoolTelemetry pool(String target, String user) {
        Tags tags = Tags.of("target", target, "user", user);
        Timer borrow = Timer.builder(BORROW).description("Time a client waited for a backend connection (DatabaseConnectionsBorrowLatency)")
                .tags(tags).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        Counter timeouts = Counter.builder(BORROW_TIMEOUTS).description("Clients that gave up waiting for a backend connection").tags(tags).register(registry);
        Counter created = Counter.builder(DATABASE_CONNECTIONS_CREATED).description("Backend connections opened (DatabaseConnectionsSetupSucceeded)").tags(tags).register(registry);
        Counter closedConnections = Counter.builder(DATABASE_CONNECTIONS_CLOSED).description("Backend connections closed").tags(tags).register(registry);
        Counter failures = Counter.builder(DATABASE_CONNECTION_SETUP_FAILURES).description("Backend connections that could not be opened (DatabaseConnectionsSetupFailed)").tags(tags).register(registry);
        return new PoolTelemetry() {
            @Override
            public void borrowed(long waitedNanos) {
                borrow.record(waitedNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            }

            @Override
            public void borrowTimedOut() {
                timeouts.increment();
            }

            @Override
            public void connectionCreated() {
                created.increment();
            }

            @Override
            public void connectionClosed() {
                closedConnections.increment();
            }

            @Override
            public void setupFailed() {
                failures.increment();
            }
        };
    }
}
