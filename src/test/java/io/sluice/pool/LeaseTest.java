package io.sluice.pool;

import io.sluice.pool.Lease.Stage;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The life of a lease as its holder and its pool see it: each race for a parked lease has exactly one winner, a lease
 * ends once, and a transition its life has not (giving back a socket the event loop still has, say) fails loudly
 * instead of handing a backend to two owners.
 */
class LeaseTest {
    private static Lease held() {
        // The stages are the lease's own; its pool, connection and backend play no part in them.
        return new Lease(null, null, null, false);
    }

    @Test
    void aParkedLeaseGoesEitherBackToItsHolderOrToAnotherClientNeverBoth() throws Exception {
        raceForAParkedLease(false, "take", Lease::take);
        raceForAParkedLease(true, "take", Lease::take);
    }

    @Test
    void theJanitorExpiresAParkedLeaseOnlyWhenItsHolderDidNotTakeItBack() throws Exception {
        raceForAParkedLease(false, "expire", Lease::expire);
    }

    private static void raceForAParkedLease(boolean holderLeft, String what, java.util.function.Predicate<Lease> pool) throws Exception {
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 2_000; i++) {
                Lease lease = held();
                assertThat(lease.park(holderLeft)).isTrue();
                assertThat(lease.parked()).isTrue();
                CyclicBarrier start = new CyclicBarrier(2);
                Future<Boolean> holder = two.submit(() -> awaitThen(start, lease::resume));
                Future<Boolean> other = two.submit(() -> awaitThen(start, () -> pool.test(lease)));
                boolean resumed = holder.get();
                boolean poolWon = other.get();
                assertThat(resumed ^ poolWon).as("exactly one of resume and %s wins, round %d", what, i).isTrue();
                assertThat(lease.held()).isEqualTo(resumed);
            }
        } finally {
            two.shutdownNow();
        }
    }

    private static boolean awaitThen(CyclicBarrier start, BooleanSupplier move) throws Exception {
        start.await();
        return move.getAsBoolean();
    }

    @Test
    void aLeaseEndsOnceWhoeverGivesItBack() {
        Lease lease = held();
        assertThat(lease.release()).isEqualTo(Stage.HELD);
        assertThat(lease.release()).as("the second give-back is no give-back").isNull();
        assertThat(lease.stage()).isEqualTo(Stage.RELEASED);
        assertThat(lease.held()).isFalse();
        assertThat(lease.resume()).isFalse();
    }

    @Test
    void aTakenLeaseIsNoLongerItsHoldersToResumeOrPark() {
        Lease lease = held();
        lease.park(false);
        assertThat(lease.take()).isTrue();
        assertThat(lease.resume()).isFalse();
        assertThat(lease.held()).isFalse();
        assertThat(lease.parked()).isFalse();
        assertThat(lease.park(false)).isFalse();
        assertThat(lease.release()).as("its connection may still be given back by the pool").isEqualTo(Stage.TAKEN);
    }

    @Test
    void theExpiringStageIsWhatTheReleaseReportsSoThatThePoolStopsCountingIt() {
        Lease lease = held();
        lease.park(true);
        assertThat(lease.left()).isTrue();
        assertThat(lease.expire()).isTrue();
        assertThat(lease.take()).as("expiring, no client may take it").isFalse();
        assertThat(lease.release()).isEqualTo(Stage.EXPIRING);
    }

    @Test
    void whileTheEventLoopHasTheSocketTheLeaseCanNeitherBeGivenBackNorParked() {
        Lease lease = held();
        lease.lend();
        assertThat(lease.stage()).isEqualTo(Stage.LENT);
        assertThat(lease.held()).as("the holder still holds it").isTrue();
        assertThat(lease.park(false)).isFalse();
        assertThat(lease.stage()).isEqualTo(Stage.LENT);
        assertThatThrownBy(lease::release).isInstanceOf(IllegalStateException.class).hasMessageContaining("LENT to RELEASED");
        assertThatThrownBy(lease::lend).isInstanceOf(IllegalStateException.class);
        lease.lentBack();
        assertThat(lease.stage()).isEqualTo(Stage.HELD);
        assertThatThrownBy(lease::lentBack).isInstanceOf(IllegalStateException.class).hasMessageContaining("HELD to HELD");
        assertThat(lease.release()).isEqualTo(Stage.HELD);
    }

    @Test
    void aParkedLeaseIsNotLentWithoutBeingResumedFirst() {
        Lease lease = held();
        lease.park(false);
        assertThatThrownBy(lease::lend).isInstanceOf(IllegalStateException.class).hasMessageContaining("PARKED to LENT");
        assertThat(lease.resume()).isTrue();
        lease.lend();
        assertThat(lease.stage()).isEqualTo(Stage.LENT);
    }

    @Test
    void everyStageButTheLastLeadsSomewhereAndNothingLeadsBackIntoAnEndedLease() {
        for (Stage s : Stage.values()) {
            assertThat(Stage.RELEASED.leadsTo(s)).isFalse();
            if (s != Stage.RELEASED) {
                assertThat(java.util.Arrays.stream(Stage.values()).anyMatch(s::leadsTo)).as("%s leads on", s).isTrue();
            }
        }
        assertThat(Stage.TAKEN.leadsTo(Stage.HELD)).as("a taken lease's connection goes on in a new lease, not this one").isFalse();
        assertThat(Stage.LENT.leadsTo(Stage.RELEASED)).as("the socket comes back to Connector/J before the pool has it").isFalse();
    }
}
