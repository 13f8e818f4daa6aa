package io.sluice.observe;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Health with meaning for a sidecar. Liveness only asks whether the event loops still answer and client sessions
 * still get to run — never a downstream system, or a database hiccup would become a restart storm. Readiness says whether clients can be
 * served now: credentials loaded, every target reachable, not draining; its data names the culprit. Startup
 * says the configuration was valid and the listener is bound.
 */
@ApplicationScoped
public class HealthChecks {
    private static final Duration EVENT_LOOP_TIMEOUT = Duration.ofSeconds(2);

    @Inject
    ProxyState proxy;

    @Produces
    @Liveness
    @ApplicationScoped
    HealthCheck eventLoops() {
        return () -> {
            List<String> stuck = proxy.unresponsiveEventLoops(EVENT_LOOP_TIMEOUT);
            HealthCheckResponseBuilder b = HealthCheckResponse.named("sluice-event-loops").status(stuck.isEmpty());
            if (!stuck.isEmpty()) {
                b.withData("unresponsive", String.join(", ", stuck));
            }
            return b.build();
        };
    }

    @Produces
    @Liveness
    @ApplicationScoped
    HealthCheck sessionThreads() {
        return () -> {
            boolean run = proxy.sessionThreadsRun(EVENT_LOOP_TIMEOUT);
            HealthCheckResponseBuilder b = HealthCheckResponse.named("sluice-session-threads").status(run);
            if (!run) {
                b.withData("stalled", "a client session thread did not get to run within " + EVENT_LOOP_TIMEOUT.toMillis() + " ms");
            }
            return b.build();
        };
    }

    @Produces
    @Readiness
    @ApplicationScoped
    HealthCheck serving() {
        return () -> readiness(proxy);
    }

    /** Whether clients can be served now, and why not; also exported as the {@code sluice_ready} gauge. */
    public static HealthCheckResponse readiness(ProxyState proxy) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("sluice-serving");
        boolean up = !proxy.draining();
        if (proxy.draining()) {
            b.withData("draining", true);
        }
        up &= report(b, "target", proxy.targets());
        up &= report(b, "credentials", proxy.credentials());
        up &= report(b, "pins", proxy.pins());
        proxy.fleet().forEach((pool, detail) -> b.withData("fleet " + pool, detail));
        return b.status(up).build();
    }

    private static boolean report(HealthCheckResponseBuilder b, String kind, Map<String, ProxyState.Check> checks) {
        boolean ok = true;
        for (var entry : checks.entrySet()) {
            b.withData(kind + " " + entry.getKey(), entry.getValue().detail());
            ok &= entry.getValue().ok();
        }
        return ok;
    }

    @Produces
    @Startup
    @ApplicationScoped
    HealthCheck started() {
        return () -> HealthCheckResponse.named("sluice-listener").status(proxy.started()).build();
    }
}
