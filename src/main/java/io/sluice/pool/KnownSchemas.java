package io.sluice.pool;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The schemas a pool's user has entered on a backend lately, so that a client naming one at login is let in without
 * a backend: a Sluice login then touches the database only for a schema not seen within {@code sluice.pool.schema-recheck},
 * which is checked there (ERR 1049 or 1044 at login, as the server gives). A schema a backend refuses (dropped, or the
 * grant taken back) is forgotten at once; one dropped where no backend had to enter it again is forgotten when its
 * time runs out. Bounded, so that clients naming ever new schemas cannot grow it: past {@link #MAX} the rest are
 * checked each time.
 */
public final class KnownSchemas {
    static final int MAX = 1_000;

    private final long recheckNanos;
    /** Schema name to when (System.nanoTime()) a backend last entered it. */
    private final Map<String, Long> entered = new ConcurrentHashMap<>();

    KnownSchemas(Duration recheck) {
        this.recheckNanos = recheck.toNanos();
    }

    /** Whether a backend entered {@code schema} within the recheck time, and none refused it since. */
    public boolean known(String schema) {
        Long at = entered.get(schema);
        if (at == null) {
            return false;
        }
        if (System.nanoTime() - at < recheckNanos) {
            return true;
        }
        entered.remove(schema, at);
        return false;
    }

    /** A backend entered {@code schema}. */
    public void entered(String schema) {
        if (recheckNanos > 0 && (entered.size() < MAX || entered.containsKey(schema))) {
            entered.put(schema, System.nanoTime());
        }
    }

    /** A backend refused {@code schema}. */
    public void refused(String schema) {
        entered.remove(schema);
    }
}
