package io.sluice.pool;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A backend's prepared statements are bounded by count and by the memory their SQL and prepare responses take. */
class StatementCacheTest {

    private static BackendStatement statement(long id, int responseBytes) {
        return new BackendStatement(id, 0, List.of(new byte[responseBytes]), new BackendStatement.ParameterTypes());
    }

    @Test
    void leastRecentlyUsedGoesFirstWhenTheCountIsReached() {
        StatementCache cache = new StatementCache(2, Long.MAX_VALUE);
        List<Long> closed = new ArrayList<>();
        cache.put("a", statement(1, 10), s -> closed.add(s.id()));
        cache.put("b", statement(2, 10), s -> closed.add(s.id()));
        cache.get("a");
        cache.put("c", statement(3, 10), s -> closed.add(s.id()));
        assertThat(closed).containsExactly(2L);
        assertThat(cache.size()).isEqualTo(2);
    }

    /** A statement prepared again under the same key (its cached answer was stale) replaces the older one, which is closed. */
    @Test
    void aStatementPreparedAgainClosesTheOneItReplaces() {
        StatementCache cache = new StatementCache(10, Long.MAX_VALUE);
        List<Long> closed = new ArrayList<>();
        cache.put("SELECT @a", statement(1, 10), s -> closed.add(s.id()));
        cache.put("SELECT @a", statement(2, 10), s -> closed.add(s.id()));
        assertThat(closed).containsExactly(1L);
        assertThat(cache.get("SELECT @a").id()).isEqualTo(2L);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void statementsAreClosedWhenTheirBytesExceedTheBound() {
        StatementCache cache = new StatementCache(1000, 10_000);
        List<Long> closed = new ArrayList<>();
        for (long id = 1; id <= 100; id++) {
            cache.put("SELECT " + id + " /*" + "x".repeat(1000) + "*/", statement(id, 1000), s -> closed.add(s.id()));
            assertThat(cache.bytes()).isLessThanOrEqualTo(10_000);
        }
        assertThat(closed).hasSize(100 - cache.size()).startsWith(1L, 2L, 3L);
    }

    @Test
    void aStatementLargerThanTheBoundStaysAloneUntilTheNext() {
        StatementCache cache = new StatementCache(1000, 10_000);
        List<Long> closed = new ArrayList<>();
        cache.put("small", statement(1, 100), s -> closed.add(s.id()));
        cache.put("huge", statement(2, 50_000), s -> closed.add(s.id()));
        assertThat(closed).containsExactly(1L);
        assertThat(cache.get("huge")).isNotNull();
        cache.put("next", statement(3, 100), s -> closed.add(s.id()));
        assertThat(closed).containsExactly(1L, 2L);
        assertThat(cache.bytes()).isLessThanOrEqualTo(10_000);
    }

    @Test
    void removingAndClearingGiveTheBytesBack() {
        StatementCache cache = new StatementCache(10, 1 << 20);
        cache.put("a", statement(1, 500), s -> { });
        cache.put("b", statement(2, 500), s -> { });
        long both = cache.bytes();
        cache.remove("a");
        assertThat(cache.bytes()).isLessThan(both).isPositive();
        cache.clear();
        assertThat(cache.bytes()).isZero();
    }
}
