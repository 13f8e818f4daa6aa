package io.sluice.transparency;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The differential transparency test: generated client programs run through Sluice, many at once on a pool
 * much smaller than the number of clients, next to noise clients that dirty every backend they touch; each
 * program must observe exactly what it observes when run alone on a direct connection to the same backend.
 *
 * <p>The backend is whatever the subclass's Quarkus test profile points Sluice at ({@code sluice.backend.host}
 * and {@code .port}); the direct runs read the same properties, so the oracle always is the same kind of
 * server as the one behind Sluice. A fixed seed runs for a bounded time in every build; longer runs:
 * {@code -Dtransparency.seconds=600 -Dtransparency.seed=<n>}, one program: {@code -Dtransparency.program=<i>}.
 */
abstract class DifferentialTransparencyTest {
    /** The seed of every build's run; a failing seed found with another goes to {@link TransparencyRegressionTest}. */
    static final long BUILD_SEED = 20261205L;

    @ConfigProperty(name = "sluice.backend.host")
    String backendHost;
    @ConfigProperty(name = "sluice.backend.port")
    int backendPort;
    @ConfigProperty(name = "sluice.listen.port")
    int sluicePort;

    /** Program clients running at once (each on its own connection). */
    abstract int workers();

    abstract int noiseClients();

    /** How long the build's run lasts, unless -Dtransparency.seconds says otherwise. */
    abstract long buildSeconds();

    Endpoint sluice() {
        return new Endpoint("sluice", "127.0.0.1", sluicePort);
    }

    Endpoint backend() {
        return new Endpoint("direct", backendHost, backendPort);
    }

    @Test
    void everyProgramObservesThroughSluiceWhatItObservesDirectly() throws Exception {
        long seed = Long.getLong("transparency.seed", BUILD_SEED);
        Integer only = Integer.getInteger("transparency.program");
        long seconds = Long.getLong("transparency.seconds", buildSeconds());
        int programs = only != null ? 1 : Integer.getInteger("transparency.programs", Integer.MAX_VALUE);
        DifferentialRun.Report report = new DifferentialRun(sluice(), backend(), workers(), noiseClients())
                .run(seed, only != null ? only : 0, programs, seconds);
        System.out.println(getClass().getSimpleName() + " " + report.summary());
        assertThat(report.failures()).as(report.summary() + "\n" + report.details()).isEmpty();
        assertThat(report.programs()).as("programs run").isPositive();
    }
}
