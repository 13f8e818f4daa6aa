package io.sluice.pool;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FairShareTest {
    private static FairShare percent(int percent, int poolMaxSize) {
        return new FairShare(OptionalInt.of(percent), OptionalInt.empty(), poolMaxSize, 1);
    }

    @Test
    void oneConnectionUntilTheFirstCountSoThatAStartingInstanceNeverStorms() {
        assertThat(percent(90, 20).limit()).isEqualTo(1);
    }

    @Test
    void theBudgetIsAPercentageOfMaxConnectionsOrANumberWhicheverIsLower() {
        assertThat(percent(90, 20).budget(1000)).isEqualTo(900);
        assertThat(new FairShare(OptionalInt.empty(), OptionalInt.of(300), 20, 1).budget(1000)).isEqualTo(300);
        assertThat(new FairShare(OptionalInt.of(50), OptionalInt.of(300), 20, 1).budget(1000)).isEqualTo(300);
        assertThat(new FairShare(OptionalInt.of(20), OptionalInt.of(300), 20, 1).budget(1000)).isEqualTo(200);
        // Never more than the database takes.
        assertThat(new FairShare(OptionalInt.empty(), OptionalInt.of(300), 20, 1).budget(100)).isEqualTo(100);
    }

    @Test
    void theShareIsTheBudgetSplitAcrossInstancesAndThisInstancesPools() {
        FairShare share = percent(90, 20);
        // 200 pods of max-size 20 against an Aurora max_connections of 1000: 4 connections each, not 20.
        assertThat(share.recompute(1000, 200)).isEqualTo(4);
        assertThat(share.recompute(1000, 10)).as("never above pool.max-size").isEqualTo(20);
        assertThat(share.recompute(60, 3)).isEqualTo(18);
        assertThat(new FairShare(OptionalInt.of(90), OptionalInt.empty(), 20, 2).recompute(60, 3)).as("two users split it").isEqualTo(9);
        assertThat(share.recompute(10, 50)).as("at least one connection").isEqualTo(1);
    }

    @Test
    void whenAnInstanceLeavesTheOthersGrowIntoItsShareAtTheNextCount() {
        FairShare share = percent(90, 40);
        assertThat(share.recompute(60, 3)).isEqualTo(18);
        assertThat(share.recompute(60, 2)).isEqualTo(27);
    }

    @Test
    void tooManyConnectionsHalvesTheLimitAtOnceAndItRecoversAdditively() {
        FairShare share = percent(100, 40);
        assertThat(share.recompute(60, 2)).isEqualTo(30);
        assertThat(share.refused()).isEqualTo(15);
        assertThat(share.limit()).isEqualTo(15);
        assertThat(share.recovering()).isTrue();
        assertThat(share.refused()).as("again, before any recovery").isEqualTo(7);
        java.util.List<Integer> limits = new java.util.ArrayList<>();
        while (share.recovering()) {
            limits.add(share.recompute(60, 2));
        }
        assertThat(limits).as("additive increase: a tenth of the share per count, up to the share").containsExactly(10, 13, 16, 19, 22, 25, 28, 30);
    }

    @Test
    void aRefusalNeverTakesTheLimitBelowOne() {
        FairShare share = percent(100, 40);
        share.recompute(60, 60);
        assertThat(share.refused()).isEqualTo(1);
        assertThat(share.refused()).isEqualTo(1);
    }

    @Test
    void settingsOutsideTheirRangeAreRefusedWithTheirName() {
        assertThatThrownBy(() -> percent(0, 20)).hasMessageContaining("sluice.fleet.max-connections-percent");
        assertThatThrownBy(() -> percent(101, 20)).hasMessageContaining("sluice.fleet.max-connections-percent");
        assertThatThrownBy(() -> new FairShare(OptionalInt.empty(), OptionalInt.of(0), 20, 1)).hasMessageContaining("sluice.fleet.max-connections");
    }
}
