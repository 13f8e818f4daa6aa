package io.sluice.observe;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the health checks ask the running proxy; implemented by the application wiring, so that observability
 * depends on no other package of Sluice.
 */
public interface ProxyState {

    /** One thing readiness looks at: whether it lets clients be served, and what to show about it. */
    record Check(boolean ok, String detail) {
    }

    /** The MySQL listener is bound and configuration was valid. */
    boolean started();

    /** Shutting down: no new clients, readiness down. */
    boolean draining();

    /** Names of event loops that did not run a task within {@code timeout}: empty when all answer. */
    List<String> unresponsiveEventLoops(Duration timeout);

    /**
     * Whether a new virtual thread, as every client session runs on, gets to run within {@code timeout}. Virtual
     * threads are not preempted: sessions stuck computing would hold every carrier thread and stall all clients
     * while the event loops still answer.
     */
    boolean sessionThreadsRun(Duration timeout);

    /** Per target: can a backend connection be made. */
    Map<String, Check> targets();

    /**
     * Per pool under a fleet budget: its share, and whether the share is what keeps clients waiting. Never makes
     * Sluice unready (a full share is load, not a fault); empty without a budget.
     */
    Map<String, String> fleet();

    /** Per user: are credentials loaded (a secret store that is unreachable but cached is ok, with a detail). */
    Map<String, Check> credentials();

    /**
     * Per pool with backends pinned to their clients: how many, for which reasons; not ok when every backend is
     * pinned and clients are waiting (they can only be served once a pinned client leaves).
     */
    Map<String, Check> pins();
}
