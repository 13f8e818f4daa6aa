package io.sluice.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Sluice's meters, named once here (Micrometer names; Prometheus adds the unit and _total suffixes). */
@ApplicationScoped
public class MicrometerTelemetry implements Telemetry {
    static final String PINS = "sluice.pins";
    static final String PREPARED = "sluice.prepared.statements";

    private final MeterRegistry registry;
    private final Map<String, Counter> pins = new ConcurrentHashMap<>();
    private final Counter preparedHits;
    private final Counter preparedMisses;

    public MicrometerTelemetry(MeterRegistry registry) {
        this.registry = registry;
        this.preparedHits = Counter.builder(PREPARED).description("Client prepares answered by a backend's statement cache or prepared anew")
                .tag("outcome", "cached").register(registry);
        this.preparedMisses = Counter.builder(PREPARED).description("Client prepares answered by a backend's statement cache or prepared anew")
                .tag("outcome", "prepared").register(registry);
    }

    @Override
    public void pinned(String reason) {
        pins.computeIfAbsent(reason, r -> Counter.builder(PINS)
                .description("Clients pinned to their backend connection, by reason")
                .tag("reason", r).register(registry)).increment();
    }

    @Override
    public void statementPrepared(boolean hit) {
        (hit ? preparedHits : preparedMisses).increment();
    }
}
