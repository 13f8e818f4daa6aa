package io.sluice.pool;

import java.util.OptionalInt;

/**
 * The arithmetic of the fleet budget, for one pool: how many backend connections it may hold, given the database's
 * {@code max_connections}, the budget settings and how many Sluice instances share the database and user. No I/O and
 * no clock: {@link FleetBudget} feeds it what it counted, and a refused login.
 *
 * <p>The share is {@code budget / instances / pools of this instance} (at least 1), never above
 * {@code sluice.pool.max-size}. On top of it sits an AIMD ceiling: a login the database refuses with ERR 1040 halves
 * the limit at once (the count was stale or other clients filled the database), and each re-computation raises the
 * ceiling by a tenth of the share until it no longer limits. Before the first count the limit is 1, so that an
 * instance starting next to hundreds of others never opens more than one connection on a guess.
 */
public final class FairShare {
    /** The limit before the first count: one connection, enough to count with. */
    static final int BEFORE_FIRST_COUNT = 1;
    /** Additive increase: the ceiling climbs back to the share in about this many re-computations. */
    static final int RECOVERY_STEPS = 10;

    private final OptionalInt percent;
    private final OptionalInt absolute;
    private final int poolMaxSize;
    private final int poolsPerInstance;
    private int limit = BEFORE_FIRST_COUNT;
    private int share;
    private int budget;
    /** Below the share after an ERR 1040, else {@link Integer#MAX_VALUE}. */
    private int ceiling = Integer.MAX_VALUE;

    /**
     * @param percent          sluice.fleet.max-connections-percent, 1 to 100
     * @param absolute         sluice.fleet.max-connections, at least 1
     * @param poolMaxSize      sluice.pool.max-size: the share never exceeds it
     * @param poolsPerInstance the pools (users) of this instance, which split its share
     */
    public FairShare(OptionalInt percent, OptionalInt absolute, int poolMaxSize, int poolsPerInstance) {
        if (percent.isEmpty() && absolute.isEmpty()) {
            throw new IllegalArgumentException("no fleet budget set: sluice.fleet.max-connections-percent or sluice.fleet.max-connections");
        }
        if (percent.isPresent() && (percent.getAsInt() < 1 || percent.getAsInt() > 100)) {
            throw new IllegalArgumentException("sluice.fleet.max-connections-percent must be between 1 and 100, not " + percent.getAsInt());
        }
        if (absolute.isPresent() && absolute.getAsInt() < 1) {
            throw new IllegalArgumentException("sluice.fleet.max-connections must be at least 1, not " + absolute.getAsInt());
        }
        this.percent = percent;
        this.absolute = absolute;
        this.poolMaxSize = poolMaxSize;
        this.poolsPerInstance = Math.max(1, poolsPerInstance);
    }

    /** The fleet's budget for a database with this {@code max_connections}: the lower of the two settings. */
    public int budget(int databaseMaxConnections) {
        int b = databaseMaxConnections;
        if (percent.isPresent()) {
            b = Math.min(b, (int) ((long) databaseMaxConnections * percent.getAsInt() / 100));
        }
        if (absolute.isPresent()) {
            b = Math.min(b, absolute.getAsInt());
        }
        return Math.max(1, b);
    }

    /**
     * A new count: the limit this pool may hold from now on.
     *
     * @param instances the Sluice instances seen sharing the database and user, this one included
     */
    public synchronized int recompute(int databaseMaxConnections, int instances) {
        budget = budget(databaseMaxConnections);
        share = Math.max(1, budget / Math.max(1, instances) / poolsPerInstance);
        if (ceiling < share) {
            ceiling += Math.max(1, share / RECOVERY_STEPS);
        }
        if (ceiling >= share) {
            ceiling = Integer.MAX_VALUE;
        }
        limit = Math.max(1, Math.min(poolMaxSize, Math.min(share, ceiling)));
        return limit;
    }

    /** The database refused a login with ERR 1040 (too many connections): the limit halves at once. */
    public synchronized int refused() {
        ceiling = Math.max(1, limit / 2);
        limit = Math.min(limit, ceiling);
        return limit;
    }

    /** The connections this pool may hold now. */
    public synchronized int limit() {
        return limit;
    }

    /** The fair share from the last count (before the AIMD ceiling and pool.max-size), 0 before the first. */
    public synchronized int share() {
        return share;
    }

    /** The fleet's budget from the last count, 0 before the first. */
    public synchronized int budget() {
        return budget;
    }

    /** Whether a refused login still holds the limit below the share. */
    public synchronized boolean recovering() {
        return ceiling != Integer.MAX_VALUE;
    }
}
