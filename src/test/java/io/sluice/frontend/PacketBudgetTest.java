package io.sluice.frontend;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The rules of {@link PacketBudget}, each client a share whose resumptions are recorded. */
class PacketBudgetTest {
    private static final long MIB = 1 << 20;
    private final PacketBudget budget = new PacketBudget(2 * MIB);
    private final List<String> resumed = new ArrayList<>();

    private PacketBudget.Share client(String name) {
        return budget.share(() -> resumed.add(name));
    }

    @Test
    void underTheBoundEveryBufferGrows() {
        PacketBudget.Share a = client("a");
        PacketBudget.Share b = client("b");
        assertThat(a.grow(MIB)).isTrue();
        assertThat(b.grow(MIB)).isTrue();
        assertThat(budget.held()).isEqualTo(2 * MIB);
    }

    @Test
    void pastTheBoundTheLongestHolderGrowsAndTheOthersWait() {
        PacketBudget.Share first = client("first");
        PacketBudget.Share second = client("second");
        assertThat(first.grow(MIB)).isTrue();
        assertThat(second.grow(MIB)).isTrue();
        assertThat(second.grow(MIB)).as("second, past the bound").isFalse();
        assertThat(first.grow(4 * MIB)).as("first, the longest holder, past the bound").isTrue();
        assertThat(budget.held()).as("what was refused is not taken").isEqualTo(6 * MIB);
        assertThat(resumed).isEmpty();
        // The first's packet served: under the bound again, the second may ask again.
        first.give(5 * MIB);
        assertThat(resumed).containsExactly("second");
        assertThat(second.grow(MIB)).isTrue();
    }

    @Test
    void whenTheLongestHolderLeavesTheWaitingAskAgainAndTheNextInLineGoesFirst() {
        PacketBudget.Share first = client("first");
        PacketBudget.Share second = client("second");
        PacketBudget.Share third = client("third");
        assertThat(first.grow(3 * MIB)).as("alone, past the bound").isTrue();
        assertThat(second.grow(PacketBudget.ALLOWANCE)).isTrue();
        assertThat(third.grow(PacketBudget.ALLOWANCE)).isTrue();
        assertThat(second.grow(MIB)).isFalse();
        assertThat(third.grow(MIB)).isFalse();
        first.giveAll();
        assertThat(resumed).containsExactly("second", "third");
        assertThat(second.grow(2 * MIB)).as("the bound passed by the longest holder").isTrue();
        assertThat(third.grow(MIB)).as("third, not the longest holder").isFalse();
    }

    @Test
    void aClientHoldingLittleIsNeverRefused() {
        PacketBudget.Share huge = client("huge");
        PacketBudget.Share waiting = client("waiting");
        PacketBudget.Share small = client("small");
        huge.grow(10 * MIB);
        assertThat(waiting.grow(MIB)).isFalse();
        assertThat(small.grow(PacketBudget.ALLOWANCE)).as("ordinary statements, with the budget spent").isTrue();
        assertThat(small.grow(1)).as("one byte past the allowance").isFalse();
    }

    @Test
    void aDepartedClientGivesEverythingBackOnceAndIsNotCountedAgain() {
        PacketBudget.Share a = client("a");
        a.grow(3 * MIB);
        a.take(1000);
        a.giveAll();
        a.give(3 * MIB);
        a.grow(MIB);
        assertThat(budget.held()).isZero();
    }
}
