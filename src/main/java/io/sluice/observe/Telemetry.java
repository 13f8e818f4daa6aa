package io.sluice.observe;

/**
 * What client sessions tell observability. An interface, so that sessions and pools never import a metrics
 * library; {@link MicrometerTelemetry} turns these into Prometheus meters.
 */
public interface Telemetry {

    /** A client was pinned to its backend; {@code reason} is a bounded label such as {@code user-variable}. */
    void pinned(String reason);

    /** A prepared statement was served from a backend's cache ({@code hit}) or prepared there anew. */
    void statementPrepared(boolean hit);

    Telemetry NONE = new Telemetry() {
        @Override
        public void pinned(String reason) {
        }

        @Override
        public void statementPrepared(boolean hit) {
        }
    };
}
