package io.sluice.observe;

/**
 * What client sessions and pools tell observability. An interface, so that they never import a metrics
 * library; {@link SluiceMetrics} turns these into Prometheus meters. Every label passed here is bounded
 * (command names, pin reasons, configured targets and users), never SQL text or a client address.
 */
public interface Telemetry {

    void clientConnected();

    /** A connected client switched to TLS. */
    void clientTls();

    void clientDisconnected(boolean tls);

    /** Turned away at sluice.max-client-connections. */
    void clientRejected();

    /**
     * Every reason {@link #authFailed} is given. The counter of each exists from start, at zero, so that a rate or
     * an alert on it has a series to read before the first failure (a missing series is not a zero).
     */
    java.util.List<String> AUTH_FAILURE_REASONS = java.util.List.of(
            "bad-password", "unknown-user", "bad-handshake", "timeout", "unsupported-plugin", "insecure-transport");

    /** A login failed, for one of {@link #AUTH_FAILURE_REASONS}. */
    void authFailed(String reason);

    /** A command finished: its name, the time the database took to start answering, whether it failed. */
    void query(String command, long databaseNanos, boolean error);

    /** A client command was relayed on the event loop, with no thread (counted as well by {@link #query}). */
    default void relayedOnLoop() {
    }

    /** A client was pinned to its backend; {@code reason} is a label such as {@code user-variable}. */
    void pinned(String reason);

    /** A client's prepare was served from a backend's statement cache ({@code cached}) or prepared anew. */
    void statementPrepared(boolean cached);

    /** A statement was prepared again on a backend other than the one it was first prepared on. */
    void statementReprepared();

    void clientBytes(long received, long sent);

    void databaseBytes(long received, long sent);

    /** The recorder for one pool's events. */
    PoolTelemetry pool(String target, String user);

    /** Events of one (target, user) pool. */
    interface PoolTelemetry {
        void borrowed(long waitedNanos);

        void borrowTimedOut();

        void connectionCreated();

        void connectionClosed();

        /** A new backend connection could not be made (unreachable, refused login). */
        void setupFailed();

        PoolTelemetry NONE = new PoolTelemetry() {
            @Override
            public void borrowed(long waitedNanos) {
            }

            @Override
            public void borrowTimedOut() {
            }

            @Override
            public void connectionCreated() {
            }

            @Override
            public void connectionClosed() {
            }

            @Override
            public void setupFailed() {
            }
        };
    }

    /** For code run without a metrics registry (unit tests, tools). */
    Telemetry NONE = new Telemetry() {
        @Override
        public void clientConnected() {
        }

        @Override
        public void clientTls() {
        }

        @Override
        public void clientDisconnected(boolean tls) {
        }

        @Override
        public void clientRejected() {
        }

        @Override
        public void authFailed(String reason) {
        }

        @Override
        public void query(String command, long databaseNanos, boolean error) {
        }

        @Override
        public void pinned(String reason) {
        }

        @Override
        public void statementPrepared(boolean cached) {
        }

        @Override
        public void statementReprepared() {
        }

        @Override
        public void clientBytes(long received, long sent) {
        }

        @Override
        public void databaseBytes(long received, long sent) {
        }

        @Override
        public PoolTelemetry pool(String target, String user) {
            return PoolTelemetry.NONE;
        }
    };
}
