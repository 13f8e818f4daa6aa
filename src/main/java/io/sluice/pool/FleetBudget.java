package io.sluice.pool;

import io.sluice.backend.FleetCensus;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one pool within its fair share of the fleet budget ({@code sluice.fleet.*}): every interval it borrows one
 * of the pool's own connections, counts the instances sharing the database and user on it ({@link FleetCensus}),
 * and resizes the pool to what {@link FairShare} makes of the count. A login the database refuses with ERR 1040
 * lowers the limit at once. Nothing here runs per client statement.
 */
public final class FleetBudget implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FleetBudget.class);

    private final BackendPool pool;
    private final FairShare share;
    private final Duration interval;
    private volatile FleetCensus.Count lastCount;
    private volatile String lastProblem;
    private volatile boolean closed;
    private Thread counter;

    FleetBudget(BackendPool pool, FairShare share, Duration interval) {
        this.pool = pool;
        this.share = share;
        this.interval = interval;
    }

    /** Holds the pool to one connection until the first count, then counts every interval. */
    void start() {
        pool.holdStrictlyToLimit();
        pool.resize(share.limit());
        pool.onTooManyConnections(() -> {
            int lowered = share.refused();
            pool.resize(lowered);
            LOG.infof("The database refused a connection of %s as too many (ERR 1040): its limit is %d until it recovers", pool.name(), lowered);
            return lowered;
        });
        counter = Thread.ofVirtual().name("sluice-fleet-" + pool.name()).start(this::run);
    }

    private void run() {
        while (!closed) {
            countOnce();
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One count and resize; a count that cannot be made (no connection within the interval) leaves the limit as it is. */
    void countOnce() {
        Lease lease;
        try {
            lease = pool.borrow(pool.mostlyFoundRows(), System.nanoTime() + interval.toNanos());
        } catch (BorrowTimeoutException | BackendUnavailableException e) {
            lastProblem = "no connection to count on: " + e.getMessage();
            LOG.debugf("fleet count of %s skipped: %s", pool.name(), e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        FleetCensus.Count count;
        try {
            count = FleetCensus.take(lease.pooled());
            pool.release(lease, Release.KEEP, "fleet count");
        } catch (SQLException | RuntimeException e) {
            pool.release(lease, Release.DISCARD, "fleet count failed");
            lastProblem = "counting failed: " + e.getMessage();
            LOG.debugf(e, "fleet count of %s failed", pool.name());
            return;
        }
        int before = pool.limit();
        int limit = share.recompute(count.databaseMaxConnections(), count.instances());
        lastCount = count;
        lastProblem = null;
        pool.resize(limit);
        if (limit != before) {
            LOG.debugf("pool %s: %d instances share a budget of %d (max_connections %d); limit %d -> %d", pool.name(),
                    count.instances(), share.budget(), count.databaseMaxConnections(), before, limit);
        }
    }

    /** Instances seen at the last count, 0 before the first. */
    public int instances() {
        FleetCensus.Count c = lastCount;
        return c == null ? 0 : c.instances();
    }

    /** The database's max_connections at the last count, 0 before the first. */
    public int databaseMaxConnections() {
        FleetCensus.Count c = lastCount;
        return c == null ? 0 : c.databaseMaxConnections();
    }

    /** The fleet's budget at the last count, 0 before the first. */
    public int budget() {
        return share.budget();
    }

    /** The connections the pool may hold now. */
    public int limit() {
        return pool.limit();
    }

    /** Whether the fleet share, rather than sluice.pool.max-size, is what makes clients wait right now. */
    public boolean holdingBack() {
        return pool.waiting() > 0 && pool.limit() < pool.maxSize();
    }

    /** One line for readiness: the share, how it was counted, and whether it is what clients are waiting for. */
    public String detail() {
        FleetCensus.Count c = lastCount;
        String problem = lastProblem;
        if (c == null) {
            return "limit " + pool.limit() + " until the first count of the instances" + (problem == null ? "" : " (" + problem + ")");
        }
        StringBuilder b = new StringBuilder();
        b.append("limit ").append(pool.limit()).append(": share ").append(share.share()).append(" of a budget of ").append(share.budget())
                .append(" (max_connections ").append(c.databaseMaxConnections()).append(") across ").append(c.instances())
                .append(c.instances() == 1 ? " instance" : " instances").append(", counted by ").append(c.source().description());
        if (share.recovering()) {
            b.append("; lowered after the database refused a connection (ERR 1040), recovering");
        }
        if (holdingBack()) {
            b.append("; ").append(pool.waiting()).append(" clients waiting: the fleet share, not sluice.pool.max-size (")
                    .append(pool.maxSize()).append("), is holding them back");
        }
        if (problem != null) {
            b.append("; last count: ").append(problem);
        }
        return b.toString();
    }

    @Override
    public void close() {
        closed = true;
        if (counter != null) {
            counter.interrupt();
            try {
                counter.join(TimeUnit.SECONDS.toMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
