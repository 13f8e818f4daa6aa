package io.sluice.packaged;

import io.sluice.testing.HostileLoad;
import io.sluice.testing.PackagedSluice;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memory test: 200 hostile connections (oversized headers before and after login, slowloris, endless prepares,
 * huge rows nobody reads, huge statements sent half-way) against the packaged Sluice running with {@code -Xmx256m}, while 20 well-behaved clients
 * loop queries. The well-behaved clients see no error, and Sluice stays within its heap: no OutOfMemoryError in its
 * output, still alive, and answering afterwards. (bench/hostile.sh runs the same and prints the figures.)
 */
class HostileLoadIT {

    @Test
    void hostileClientsCannotExhaustSluicesHeapNorHurtWellBehavedOnes() throws Exception {
        HostileLoad.Figures figures;
        try (PackagedSluice sluice = PackagedSluice.start(HostileLoad.JVM_OPTIONS, HostileLoad.SETTINGS)) {
            figures = HostileLoad.run(sluice, 200, 20, Duration.ofSeconds(60));
        }
        System.out.println(figures);
        assertThat(figures.attempts().values()).as("every kind of attack was made").allSatisfy(n -> assertThat(n).isPositive());
        assertThat(figures.goodQueries()).as("well-behaved queries").isPositive();
        assertThat(figures.goodErrors()).as("errors seen by well-behaved clients (first: %s)", figures.firstGoodError()).isZero();
        assertThat(figures.outOfMemoryError()).as("OutOfMemoryError in Sluice's output").isFalse();
        // The packet budget's default is a quarter of the heap; one packet (the 16 MB statements) may take it past,
        // and every client may hold its 64 KiB allowance regardless.
        assertThat(figures.packetBytesMax()).as("bytes held by clients' packets, most seen")
                .isLessThanOrEqualTo(figures.heapMaxBytes() / 4 + (16L << 20) + 200 * 64 * 1024);
        assertThat(figures.aliveAfterwards()).as("Sluice alive afterwards").isTrue();
        assertThat(figures.answersAfterwards()).as("Sluice answers afterwards").isTrue();
    }
}
