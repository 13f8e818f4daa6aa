package io.sluice.pool;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalDataSourceListener;
import io.agroal.api.cache.ConnectionCache;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration.ConnectionValidator;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.exceptionsorter.MySQLExceptionSorter;
import io.sluice.backend.BackendConnection;
import io.sluice.backend.ChannelLoan;
import io.sluice.backend.ConnectionSettings;
import io.sluice.backend.ConnectorJ;
import io.sluice.config.SluiceConfig;
import io.sluice.credentials.Credential;
import io.sluice.credentials.CredentialSource;
import io.sluice.protocol.CommandType;
import io.sluice.protocol.ErrorCode;
import io.sluice.protocol.OkPacket;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The backend connections of one (target, user): Agroal pools of Connector/J connections behind a fair
 * semaphore. The semaphore makes waiting clients first-come first-served and bounds the connections in use
 * to {@code max-size} across the pool's variants.
 *
 * <p>There is one Agroal pool per value of CLIENT_FOUND_ROWS, fixed at connect time and changing what UPDATE
 * reports, so a client only ever runs on a connection that agrees with it. Most applications use one.
 */
public final class BackendPool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackendPool.class);

    private final String name;
    private final Target target;
    private final String user;
    private final CredentialSource credentials;
    private final SluiceConfig.Pool config;
    private final Map<String, String> jdbcProperties;
    private final Consumer<BackendConnection> onConnect;
    private final Permits permits;
    /**
     * The connections this pool may hold now: {@code max-size}, or less under a fleet budget ({@link #resize}).
     * Written under the pool's lock, read anywhere.
     */
    private volatile int limit;
    /**
     * Held while asking Agroal for a connection under a fleet budget. Agroal checks its max size before a connection
     * it is opening counts, so borrowers asking at once can open more than the limit (the extras then sit idle).
     * One at a time, a borrower either finds an idle connection or opens the only one being opened.
     */
    private final java.util.concurrent.locks.ReentrantLock opening = new java.util.concurrent.locks.ReentrantLock();
    private volatile boolean strictLimit;
    /** Told when the database refuses a login with ERR 1040; answers the limit to wait for (the fleet budget), or -1. */
    private volatile java.util.function.IntSupplier onTooManyConnections = () -> -1;
    private final AgroalDataSource[] variants = new AgroalDataSource[2];
    private final Map<Object, PooledBackend> backends = new ConcurrentHashMap<>();
    private final io.sluice.observe.Telemetry.PoolTelemetry telemetry;
    /** How often the janitor looks at parked leases, at most (an O(pool size) scan). */
    /** Leases handed out and not yet given back, parked or not: at most the pool size, cheap to scan. */
    private final Set<Lease> out = ConcurrentHashMap.newKeySet();
    private final KnownSchemas schemas;
    private final long affinityNanos;
    private volatile boolean closed;
    /** Borrowers that found no free permit and are looking for a parked lease or waiting in the queue. */
    private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * How much shorter than the longest-waiting client a client on the connection's own loop may have waited and still go
     * first (see nearWaiter): a few hand-overs' worth, so that loops with clients waiting keep their connections, and
     * one whose clients wait longer than that gets them.
     */
    private static final long NEAR_WAITER_LEAD_NANOS = TimeUnit.MICROSECONDS.toNanos(250);
    /** How far down the queue a hand-over looks for a client on the connection's loop: bounded work under the pool's lock-free queue. */
    private static final int NEAR_WAITER_LOOKS = 16;
    /** Clients waiting on their event loops, with no thread, for a connection another client gives back (see waitOnLoop). */
    private final java.util.concurrent.ConcurrentLinkedQueue<LoopWaiter> loopWaiters = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger loopWaiting = new java.util.concurrent.atomic.AtomicInteger();
    /** Parked leases past the affinity time, taken by the janitor and on their way back to Agroal: no client uses them. */
    private final java.util.concurrent.atomic.AtomicInteger expiring = new java.util.concurrent.atomic.AtomicInteger();
    /** The janitor is to look at this pool's parked leases (see expireParked). */
    private final java.util.concurrent.atomic.AtomicBoolean expiryScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    /** The janitor is to look at the deadlines of this pool's loop waiters (see expireWaiters). */
    private final java.util.concurrent.atomic.AtomicBoolean waiterCheckScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long lastSuccess;
    private volatile long lastFailureAt;
    private volatile String lastFailure;

    private final Map<String, String> tlsProperties;

    BackendPool(Target target, String user, CredentialSource credentials, SluiceConfig.Pool config, Map<String, String> tlsProperties,
            Map<String, String> jdbcProperties, Consumer<BackendConnection> onConnect, io.sluice.observe.Telemetry.PoolTelemetry telemetry) {
        this.tlsProperties = tlsProperties;
        this.telemetry = telemetry;
        this.target = target;
        this.user = user;
        this.credentials = credentials;
        this.name = target.name() + "/" + user;
        this.affinityNanos = config.affinity().toNanos();
        this.schemas = new KnownSchemas(config.schemaRecheck());
        this.config = config;
        this.jdbcProperties = jdbcProperties;
        this.onConnect = onConnect;
        this.limit = config.maxSize();
        this.permits = new Permits(limit);
    }

    /** A fair semaphore whose permits can be taken away while they are out: the pool's limit shrinks as they come back. */
    private static final class Permits extends Semaphore {
        Permits(int permits) {
            super(permits, true);
        }

        void reduce(int by) {
            reducePermits(by);
        }
    }

    /**
     * Sets the connections this pool may hold (the fleet budget's share, at most {@code max-size}). Growing lets
     * waiting clients in at once. Shrinking never breaks a borrowed connection: idle ones are closed now, borrowed
     * ones as they come back, and no client gets a new one until the pool is within the limit.
     */
    public synchronized void resize(int newLimit) {
        int target = Math.clamp(newLimit, 1, config.maxSize());
        int delta = target - limit;
        if (delta == 0 || closed) {
            return;
        }
        limit = target;
        if (delta > 0) {
            agroalSizes(target);
            permits.release(delta);
        } else {
            permits.reduce(-delta);
            agroalSizes(target);
            retireIdle();
        }
    }

    /** What Agroal itself holds to: it closes a connection given back while it has more than its max size open. */
    private void agroalSizes(int max) {
        for (AgroalDataSource ds : variants) {
            if (ds != null) {
                var pool = ds.getConfiguration().connectionPoolConfiguration();
                if (max < pool.maxSize()) {
                    pool.setMinSize(Math.min(config.minIdle(), max));
                    pool.setMaxSize(max);
                } else {
                    pool.setMaxSize(max);
                    pool.setMinSize(Math.min(config.minIdle(), max));
                }
            }
        }
    }

    /**
     * Gives back connections parked by idle clients while more are out than the limit allows (they retire as they come
     * back), then closes the idle ones if, with those still out, they would make more than the limit.
     */
    private void retireIdle() {
        for (Lease l : out) {
            if (permits.availablePermits() < 0 && l.parked() && l.take()) {
                release(l, Release.KEEP, "parked, pool over its limit");
            }
        }
        // Out now: limit - available permits; open: those and the idle ones.
        if (idleInAgroal() > permits.availablePermits()) {
            for (AgroalDataSource ds : variants) {
                if (ds != null && ds.getMetrics().availableCount() > 0) {
                    ds.flush(AgroalDataSource.FlushMode.IDLE);
                }
            }
        }
    }

    /** Connections open in the pool's Agroal pools: borrowed, parked or idle. */
    private int openConnections() {
        return sumOverVariants(m -> m.activeCount() + m.availableCount());
    }

    /** Connections idle in the pool's Agroal pools (not those parked by idle clients). */
    private int idleInAgroal() {
        return sumOverVariants(io.agroal.api.AgroalDataSourceMetrics::availableCount);
    }

    /** A count summed over both CLIENT_FOUND_ROWS variants' Agroal pools (those opened so far). */
    private int sumOverVariants(java.util.function.ToLongFunction<io.agroal.api.AgroalDataSourceMetrics> count) {
        long n = 0;
        for (AgroalDataSource ds : variants) {
            if (ds != null) {
                n += count.applyAsLong(ds.getMetrics());
            }
        }
        return (int) n;
    }

    /** The connections this pool may hold now: {@code max-size}, or its fleet share when that is lower. */
    public int limit() {
        return limit;
    }

    /**
     * Who to tell when the database refuses a login with ERR 1040 (too many connections): it lowers the limit and
     * answers the new one, and the client that met the refusal waits in the queue rather than failing.
     */
    public void onTooManyConnections(java.util.function.IntSupplier listener) {
        this.onTooManyConnections = listener;
    }

    /**
     * Never opens more connections than the limit, not even for a moment: connections are then opened one at a time
     * (see {@link #opening}). For a fleet budget, where the database's own limit is at stake.
     */
    public void holdStrictlyToLimit() {
        strictLimit = true;
    }

    private Connection fromAgroal(boolean foundRows) throws SQLException {
        if (!strictLimit) {
            return dataSource(foundRows).getConnection();
        }
        opening.lock();
        try {
            AgroalDataSource wanted = dataSource(foundRows);
            AgroalDataSource other = variants[foundRows ? 0 : 1];
            // Idle connections of the other CLIENT_FOUND_ROWS variant count against the limit too: when this borrower
            // would have to open one and they would take the pool past its limit, they are closed first.
            if (other != null && wanted.getMetrics().availableCount() == 0 && other.getMetrics().availableCount() > 0
                    && limit - permits.availablePermits() + other.getMetrics().availableCount() > limit) {
                other.flush(AgroalDataSource.FlushMode.IDLE);
            }
            return wanted.getConnection();
        } finally {
            opening.unlock();
        }
    }

    /**
     * The CLIENT_FOUND_ROWS variant most of the pool's connections have: Sluice's own statements (the fleet count)
     * run on one of those, so that they need no connection of the other kind.
     */
    public boolean mostlyFoundRows() {
        AgroalDataSource affected = variants[0];
        AgroalDataSource found = variants[1];
        if (affected == null || found == null) {
            return affected == null;
        }
        return found.getMetrics().activeCount() + found.getMetrics().availableCount()
                >= affected.getMetrics().activeCount() + affected.getMetrics().availableCount();
    }

    public String name() {
        return name;
    }

    public Target target() {
        return target;
    }

    /** The schemas this pool's user has entered (see {@link KnownSchemas}). */
    public KnownSchemas schemas() {
        return schemas;
    }

    public String user() {
        return user;
    }

    /** Idle connections, across the pool's Agroal pools, and those parked by idle clients. */
    public int idle() {
        int n = parkedCount();
        for (AgroalDataSource ds : variants) {
            if (ds != null) {
                n += (int) ds.getMetrics().availableCount();
            }
        }
        return n;
    }

    /** The Agroal pools behind this pool, labelled by their CLIENT_FOUND_ROWS variant, for Agroal's own metrics. */
    public Map<String, AgroalDataSource> dataSources() {
        Map<String, AgroalDataSource> out = new java.util.LinkedHashMap<>();
        if (variants[1] != null) {
            out.put(name + "/found-rows", variants[1]);
        }
        if (variants[0] != null) {
            out.put(name + "/affected-rows", variants[0]);
        }
        return out;
    }

    public int maxSize() {
        return config.maxSize();
    }

    /** Clients queued for a connection right now, on threads or on their event loops. */
    public int waiting() {
        return permits.getQueueLength() + loopWaiting.get();
    }

    /**
     * A client waiting for a connection on its event loop, with no thread ({@link #waitOnLoop}). Settled exactly once:
     * by the pool, with a lease handed over from a client that gave its connection back, or with none when a permit is
     * free (a connection can be opened, which takes a thread); or by the waiter itself, giving up at its deadline.
     */
    public static final class LoopWaiter {
        private final boolean foundRows;
        private final java.util.concurrent.Executor loop;
        private final long deadlineNanos;
        private final Consumer<Lease> then;
        private final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
        private final long since = System.nanoTime();
        private volatile boolean queued;

        /**
         * @param deadlineNanos when ({@link System#nanoTime()}) the waiter stops waiting on its loop: the pool then settles
         *                      it with null, and its thread's borrow, past the deadline, fails as a borrow that timed out
         * @param then          run on {@code loop} once the pool settles the waiter: with the lease handed over, or null
         *                      when the client is to borrow on a thread after all
         */
        public LoopWaiter(boolean foundRows, java.util.concurrent.Executor loop, long deadlineNanos, Consumer<Lease> then) {
            this.foundRows = foundRows;
            this.loop = loop;
            this.deadlineNanos = deadlineNanos;
            this.then = then;
        }

        /** Whether {@link #waitOnLoop} queued it: then exactly one of the pool and {@link #giveUp} settles it. */
        public boolean queued() {
            return queued;
        }

        private boolean settle() {
            return settled.compareAndSet(false, true);
        }
    }

    /**
     * For a client on its event loop that needs a connection and must not block there: a parked lease taken over now,
     * when one is; else, when every connection is out, {@code waiter} is queued ({@link LoopWaiter#queued()}) and
     * settled later, on its loop, by the next client to give a connection back. Threads waiting in the fair queue go
     * first: while there are any, connections given back go to them (see handOver). Returns null, and does not queue
     * the waiter, when a connection may be opened (a permit is free: that takes a thread).
     */
    public Lease waitOnLoop(LoopWaiter waiter) {
        if (closed) {
            return null;
        }
        // A connection parked by a client that left is as good as an idle one in Agroal, and takes no thread to get.
        Lease left = takeParked(waiter.foundRows, true, waiter.loop);
        if (left != null) {
            telemetry.borrowed(System.nanoTime() - waiter.since);
            return left;
        }
        if (permits.availablePermits() > 0) {
            return null;
        }
        // Counted before looking at parked leases, as acquire() does: a lease parked meanwhile is given back (see park),
        // which hands it over to this waiter once it is queued, or frees a permit, which the check below sees.
        waiting.incrementAndGet();
        Lease taken;
        try {
            taken = takeParked(waiter.foundRows, false, waiter.loop);
        } catch (RuntimeException e) {
            waiting.decrementAndGet();
            throw e;
        }
        if (taken != null) {
            waiting.decrementAndGet();
            telemetry.borrowed(System.nanoTime() - waiter.since);
            return taken;
        }
        waiter.queued = true;
        loopWaiting.incrementAndGet();
        loopWaiters.add(waiter);
        expireWaitersIn(waiter.deadlineNanos - System.nanoTime());
        if ((closed || permits.availablePermits() > 0) && giveUp(waiter)) {
            // A connection came back to Agroal before the waiter was in the queue.
            waiter.queued = false;
        }
        return null;
    }

    /**
     * The waiter stops waiting (its deadline passed, or a connection freed up before it was queued); false when the pool
     * settled it first (its callback is on its way).
     */
    private boolean giveUp(LoopWaiter waiter) {
        if (!waiter.settle()) {
            return false;
        }
        loopWaiters.remove(waiter);
        waited();
        return true;
    }

    /**
     * Has the janitor look for clients waiting on their loops past their deadline in {@code nanos}, unless it is to look
     * already. One timer for all of a pool's waiters, not one per wait: with a thousand clients queued, a timer armed at
     * every wait and never cancelled (a wait usually ends long before its deadline) filled each loop's timer queue with
     * hundreds of thousands of tasks.
     */
    private void expireWaitersIn(long nanos) {
        if (waiterCheckScheduled.compareAndSet(false, true)) {
            Janitor.after(Math.max(1, nanos), this::expireWaiters);
        }
    }

    /** On the janitor's thread: waiters past their deadline borrow on their thread after all, which fails them as timed out. */
    private void expireWaiters() {
        // Cleared before looking: a waiter queued after the look arms the next one itself (see waitOnLoop).
        waiterCheckScheduled.set(false);
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (LoopWaiter waiter : loopWaiters) {
            long left = waiter.deadlineNanos - now;
            if (left > 0) {
                next = Math.min(next, left);
            } else if (giveUp(waiter)) {
                waiter.loop.execute(() -> waiter.then.accept(null));
            }
        }
        if (next != Long.MAX_VALUE) {
            expireWaitersIn(next);
        }
    }

    private void waited() {
        loopWaiting.decrementAndGet();
        waiting.decrementAndGet();
    }

    /**
     * A connection given back clean, while clients wait on their loops and no thread does: it passes to the first of
     * them (or to one on the loop its socket rests on: see nearWaiter), with its permit, never going back to Agroal. Not when that one wants the other CLIENT_FOUND_ROWS variant:
     * the connection then goes back to Agroal, which frees a permit for it (see permitFreed); handing it to a later
     * waiter instead would let two clients of one variant pass a connection between them for ever, the first waiting.
     * A socket resting on an event loop passes as it is: a waiter on that loop takes it over with no system call, one on
     * another loop has it moved there first (LoopRelay, ChannelLoan#moveTo), with no thread either way.
     */
    private boolean handOver(Lease lease) {
        if (loopWaiters.isEmpty() || closed || permits.hasQueuedThreads()) {
            return false;
        }
        ChannelLoan loan = lease.backend().connection().loan();
        LoopWaiter waiter;
        while ((waiter = loopWaiters.peek()) != null) {
            if (waiter.settled.get()) {
                // Gave up at its deadline, and not out of the queue yet.
                loopWaiters.remove(waiter);
                continue;
            }
            if (waiter.foundRows != lease.foundRows()) {
                return false;
            }
            LoopWaiter near = loan.withLoop() && !loan.on(waiter.loop) ? nearWaiter(loan, waiter) : null;
            if (near != null) {
                waiter = near;
            }
            if (!loopWaiters.remove(waiter)) {
                if (near != null) {
                    continue;
                }
                return false;
            }
            if (!waiter.settle()) {
                continue;
            }
            handTo(waiter, lease);
            return true;
        }
        return false;
    }

    /**
     * The first waiter behind {@code head} on the loop where {@code loan}'s socket rests, wanting the same variant, if it
     * has waited at most {@link #NEAR_WAITER_LEAD_NANOS} less than {@code head}; else null. A socket moving to another
     * loop is given back and taken over again (two FIONREAD ioctls, two blocking-mode switches, two epoll_ctls, a read,
     * and a task for each loop); strict arrival order moves it whenever the oldest waiter is on the other loop. Within
     * that lead the order is per loop; past it, the oldest waiter goes first and the socket moves to it.
     */
    private LoopWaiter nearWaiter(ChannelLoan loan, LoopWaiter head) {
        int looked = 0;
        for (LoopWaiter w : loopWaiters) {
            if (w.since - head.since > NEAR_WAITER_LEAD_NANOS || ++looked > NEAR_WAITER_LOOKS) {
                return null;
            }
            if (w != head && loan.on(w.loop) && w.foundRows == head.foundRows && !w.settled.get()) {
                return w;
            }
        }
        return null;
    }

    /** A permit was freed: the first client waiting on its loop borrows on a thread instead, which may open a connection. */
    private void permitFreed() {
        LoopWaiter waiter;
        while ((waiter = loopWaiters.poll()) != null) {
            if (waiter.settle()) {
                waited();
                LoopWaiter w = waiter;
                w.loop.execute(() -> w.then.accept(null));
                return;
            }
        }
    }

    /** Connections in use right now (parked ones are not: any client may take them). */
    public int borrowed() {
        // Three counts read one after another: while the janitor gives a parked lease back (expiring up, parked down,
        // permit back, expiring down), a permit read before its return and a parked count read after the expiry would
        // show that lease as in use for an instant. So the counts are read again until the permits and the expiring
        // count stood still around the parked count (which moves only between those two's changes).
        int result = 0;
        for (int attempt = 0; attempt < 64; attempt++) {
            int expiringBefore = expiring.get();
            int availableBefore = permits.availablePermits();
            int parked = parkedCount();
            int availableAfter = permits.availablePermits();
            int expiringAfter = expiring.get();
            // Never below 0: a lease the janitor gives back counts as expiring until just after its permit is back.
            result = Math.max(0, limit - availableBefore - parked - expiringBefore);
            if (availableBefore == availableAfter && expiringBefore == expiringAfter) {
                break;
            }
        }
        return result;
    }

    /**
     * Borrows a connection whose CLIENT_FOUND_ROWS matches {@code foundRows}, waiting at most until {@code deadlineNanos}
     * (a {@link System#nanoTime()} value).
     */
    public Lease borrow(boolean foundRows, long deadlineNanos) throws BorrowTimeoutException, BackendUnavailableException, InterruptedException {
        long started = System.nanoTime();
        Lease taken = acquire(foundRows, deadlineNanos);
        if (taken != null) {
            telemetry.borrowed(System.nanoTime() - started);
            return taken;
        }
        return openWithPermit(foundRows, deadlineNanos, started);
    }

    /**
     * For a client whose wait belongs on its event loop ({@link #waitOnLoop}), borrowing on a thread because a permit
     * looked free: as {@link #borrow}, but null, at once, when every connection is out and none is parked, so that the
     * client queues on its loop rather than in the fair queue. A thread queued there sends every later client to a
     * thread of its own and every connection given back through Agroal (see waitOnLoop and handOver): one thread that
     * lost the race for a permit used to keep 32 clients on 20 connections borrowing on threads for good.
     */
    public Lease borrowIfFree(boolean foundRows, long deadlineNanos) throws BorrowTimeoutException, BackendUnavailableException, InterruptedException {
        long started = System.nanoTime();
        if (!permits.tryAcquire()) {
            waiting.incrementAndGet();
            try {
                Lease taken = takeParked(foundRows);
                if (taken != null) {
                    telemetry.borrowed(System.nanoTime() - started);
                }
                return taken;
            } finally {
                waiting.decrementAndGet();
            }
        }
        return openWithPermit(foundRows, deadlineNanos, started);
    }

    /** The rest of a borrow that holds a permit: a connection from Agroal, opened if need be, retried up to the deadline. */
    private Lease openWithPermit(boolean foundRows, long deadlineNanos, long started) throws BorrowTimeoutException, BackendUnavailableException, InterruptedException {
        Lease taken;
        long backoff = TimeUnit.MILLISECONDS.toNanos(50);
        boolean loginRetried = false;
        while (true) {
            try {
                Lease lease = open(foundRows);
                telemetry.borrowed(System.nanoTime() - started);
                lastSuccess = System.nanoTime();
                return lease;
            } catch (SQLException e) {
                telemetry.setupFailed();
                BackendUnavailableException failure = unavailable(e);
                lastFailure = failure.getMessage();
                lastFailureAt = System.nanoTime();
                if (e.getCause() instanceof io.sluice.backend.BackendException be && be.kind() == io.sluice.backend.BackendException.Kind.UNSUPPORTED) {
                    // Waiting does not give a backend session tracking: say so at once.
                    permits.release();
                    throw failure;
                }
                boolean loginRejected = failure.vendorCode() == 1045;
                if (loginRejected && !loginRetried) {
                    // A rotated secret: the credential source fetched afresh in unavailable(); one more try.
                    loginRetried = true;
                    continue;
                }
                if (failure.vendorCode() == ErrorCode.ER_CON_COUNT_ERROR && onTooManyConnections.getAsInt() > 0) {
                    // The database is full and the fleet budget has lowered this pool's limit: the client queues
                    // again, behind the connections still within the limit, instead of failing.
                    permits.release();
                    if (deadlineNanos - System.nanoTime() <= 0) {
                        // Past the deadline a free permit would be taken at once and the login tried again without
                        // pause, for as long as the database stays full: the wait ends here, as any borrow's does.
                        telemetry.borrowTimedOut();
                        throw timeout();
                    }
                    TimeUnit.NANOSECONDS.sleep(Math.min(backoff, Math.max(0, deadlineNanos - System.nanoTime())));
                    backoff = Math.min(backoff * 2, TimeUnit.MILLISECONDS.toNanos(250));
                    taken = acquire(foundRows, deadlineNanos);
                    if (taken != null) {
                        telemetry.borrowed(System.nanoTime() - started);
                        return taken;
                    }
                    continue;
                }
                // While the backend cannot be reached, wait (with backoff) up to the borrow timeout:
                // a short outage or a failover then looks like a slow query, not an error.
                long left = deadlineNanos - System.nanoTime();
                if (loginRejected || left <= backoff) {
                    permits.release();
                    throw failure;
                }
            } catch (RuntimeException e) {
                permits.release();
                throw e;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(backoff);
            } catch (InterruptedException e) {
                permits.release();
                throw e;
            }
            // Short steps: once the database is back, the next attempt is never more than a quarter second away.
            backoff = Math.min(backoff * 2, TimeUnit.MILLISECONDS.toNanos(250));
        }
    }

    private BorrowTimeoutException timeout() {
        return BorrowTimeoutException.timedOut(name, config.borrowTimeout(), limitDescription(), pinnedCount(), pinReasons());
    }

    /** Backends held right now by clients pinned to them. */
    public int pinnedCount() {
        int n = 0;
        for (Lease l : out) {
            if (!l.pins().isEmpty()) {
                n++;
            }
        }
        return n;
    }

    /** Backends held by pinned clients, by pin reason (a backend pinned for two reasons counts under both). */
    public java.util.Map<io.sluice.session.PinReason, Integer> pinReasons() {
        java.util.Map<io.sluice.session.PinReason, Integer> counts = new java.util.EnumMap<>(io.sluice.session.PinReason.class);
        for (Lease l : out) {
            for (io.sluice.session.PinReason r : l.pins()) {
                counts.merge(r, 1, Integer::sum);
            }
        }
        return counts;
    }

    /**
     * A permit to open or take a connection (then null), or a parked lease taken over (then its holder's permit
     * passes to the new lease); waits in the fair queue until {@code deadlineNanos}.
     */
    private Lease acquire(boolean foundRows, long deadlineNanos) throws BorrowTimeoutException, InterruptedException {
        if (permits.tryAcquire()) {
            return null;
        }
        // Counted before looking at parked leases, and park() checks the count after parking: so either this client
        // sees a lease parked meanwhile, or its holder sees this client and gives it back (see park).
        waiting.incrementAndGet();
        try {
            // All connections are out; one parked by an idle client is as good as a free one.
            Lease taken = takeParked(foundRows);
            if (taken != null) {
                return taken;
            }
            // The queue has its own bound: past it a client is refused at once rather than left to time out.
            if (permits.getQueueLength() >= config.maxWaiting()) {
                telemetry.borrowTimedOut();
                throw BorrowTimeoutException.queueFull(name, config.maxWaiting(), limitDescription());
            }
            // One wait, no polling: with thousands of clients queued, waking each every few milliseconds to look
            // for parked connections costs more CPU than the queries. A connection parked after this client looked
            // is given back by its holder.
            if (!permits.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                telemetry.borrowTimedOut();
                throw timeout();
            }
            return null;
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** How many connections the pool holds at most now, and which setting says so, for error messages. */
    private String limitDescription() {
        int now = limit;
        return now < config.maxSize()
                ? now + " (this instance's share of the fleet budget, sluice.fleet.*; sluice.pool.max-size is " + config.maxSize() + ")"
                : Integer.toString(now);
    }

    /** One attempt at a connection from Agroal (opening one if none is idle), wrapped as Sluice knows it. */
    private Lease open(boolean foundRows) throws SQLException {
        Connection pooled = fromAgroal(foundRows);
        try {
            Object physical = BackendConnection.physicalOf(pooled);
            PooledBackend backend = backends.get(physical);
            while (backend != null && backend.connection().isClosedByServer()) {
                // Closed while idle: the database restarted or failed over, and its other idle ones are gone too.
                LOG.debugf("backend connection %d of %s was closed by the server while idle", backend.connection().threadId(), name);
                discard(pooled);
                flushIdle();
                pooled = fromAgroal(foundRows);
                physical = BackendConnection.physicalOf(pooled);
                backend = backends.get(physical);
            }
            if (backend == null) {
                BackendConnection connection = BackendConnection.attach(pooled);
                connection.enableSessionTracking();
                onConnect.accept(connection);
                backend = new PooledBackend(connection, config.statementCacheSize(), config.statementCacheBytes().asLongValue());
                backends.put(physical, backend);
                telemetry.connectionCreated();
            }
            return handOut(new Lease(this, pooled, backend, foundRows));
        } catch (SQLException | RuntimeException e) {
            discard(pooled);
            if (e instanceof io.sluice.backend.BackendException be) {
                throw new SQLException(be.getMessage(), "08S01", 0, be);
            }
            throw e;
        }
    }

    /**
     * Parks a lease between a client's statements (see {@link Lease}): the client keeps its backend unless
     * someone needs it. False when the holder should give it back instead: affinity is off, or clients are
     * already waiting for a connection.
     */
    public boolean park(Lease lease) {
        return park(lease, false);
    }

    private boolean park(Lease lease, boolean holderLeaves) {
        // A parked backend may go to another client as it is; one that may be in a transaction goes through release.
        if (affinityNanos <= 0 || waiting.get() > 0 || lease.backend().connection().transaction().mayBeInTransaction()
                || !lease.park(holderLeaves)) {
            return false;
        }
        // Checked again once parked: a client may have looked for parked leases in between, and then waits without
        // looking again. If the pool took the lease meanwhile, it is parked-and-taken as far as the holder knows.
        if (waiting.get() > 0 && lease.resume()) {
            return false;
        }
        expireParkedIn(affinityNanos);
        return true;
    }

    /**
     * The holder gives back a connection whose session state Sluice knows ({@link Release#KEEP}) as it leaves (it ends
     * its session, or is done with the connection): it stays parked for any client to take ({@code takeParked}), on
     * an event loop too, up to the affinity time, rather than go back to Agroal at once; given back as {@link #release}
     * would where it may not be parked (no affinity, clients waiting, a transaction maybe open).
     */
    public void leave(Lease lease, String reason) {
        if (!park(lease, true)) {
            release(lease, Release.KEEP, reason);
        }
    }

    /** Has the janitor look at parked leases in {@code nanos}, unless it is to look already. */
    private void expireParkedIn(long nanos) {
        if (expiryScheduled.compareAndSet(false, true)) {
            Janitor.after(nanos, this::expireParked);
        }
    }

    /** Connections parked by idle clients right now. */
    public int parkedCount() {
        int n = 0;
        for (Lease l : out) {
            if (l.parked()) {
                n++;
            }
        }
        return n;
    }

    private Lease handOut(Lease lease) {
        out.add(lease);
        return lease;
    }

    /**
     * Takes a parked lease away from its holder for a client that needs a connection: the one parked longest,
     * so that busy clients keep their affinity. One of the other CLIENT_FOUND_ROWS variant is given back to
     * Agroal instead, which frees a permit.
     */
    private Lease takeParked(boolean foundRows) {
        return takeParked(foundRows, false, null);
    }

    /**
     * @param unheldOnly only one parked by a client that left ({@link #leave}), which no client's affinity wants
     * @param loop       the event loop the taker runs on, null for a thread: a connection whose socket rests there, or
     *                   on no loop, goes before one resting on another loop, which must be given back first
     */
    private Lease takeParked(boolean foundRows, boolean unheldOnly, java.util.concurrent.Executor loop) {
        while (true) {
            Lease candidate = null;
            boolean candidateNear = false;
            for (Lease l : out) {
                if (!l.parked() || unheldOnly && !l.left()) {
                    continue;
                }
                ChannelLoan loan = l.backend().connection().loan();
                boolean near = loop != null ? loan.on(loop) || !loan.withLoop() : !loan.withLoop();
                if (candidate == null || near && !candidateNear || near == candidateNear && l.parkedAt() - candidate.parkedAt() < 0) {
                    candidate = l;
                    candidateNear = near;
                }
            }
            if (candidate == null) {
                return null;
            }
            if (!candidate.take()) {
                continue;
            }
            if (candidate.backend().connection().isClosedByServer()) {
                release(candidate, Release.DISCARD, "closed by the server while parked");
                continue;
            }
            if (loop == null && !candidate.backend().connection().loan().reclaim()) {
                // A thread's borrow uses Connector/J: a socket resting on an event loop comes back first.
                release(candidate, Release.DISCARD, "closed by the server while parked on an event loop");
                continue;
            }
            if (candidate.foundRows() != foundRows) {
                release(candidate, Release.KEEP, "parked, other variant needed");
                return null;
            }
            // The taken lease is over without being given back: its connection and permit pass to the new one.
            out.remove(candidate);
            return handOut(new Lease(this, candidate.pooled(), candidate.backend(), foundRows));
        }
    }

    /**
     * On the janitor's thread: gives back leases parked longer than the affinity time, so that idle clients do not
     * keep connections, and comes back when the next of the others is due. Nothing parked, nothing scheduled.
     */
    private void expireParked() {
        // Cleared before looking: a lease parked after the look schedules the next one itself (see park).
        expiryScheduled.set(false);
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        List<Lease> expired = new ArrayList<>();
        for (Lease l : out) {
            long age = now - l.parkedAt();
            if (!l.parked()) {
                continue;
            }
            if (age < affinityNanos) {
                next = Math.min(next, affinityNanos - age);
            } else {
                // Counted before it stops counting as parked, so that borrowed() never sees it as in use meanwhile.
                expiring.incrementAndGet();
                if (l.expire()) {
                    expired.add(l);
                } else {
                    expiring.decrementAndGet();
                }
            }
        }
        if (!expired.isEmpty()) {
            // Giving back may reach the database (Agroal, a reset): not on the janitor's thread.
            Thread.ofVirtual().start(() -> expired.forEach(l -> release(l, Release.KEEP, "affinity expired")));
        }
        if (next != Long.MAX_VALUE) {
            expireParkedIn(next);
        }
    }

    /** When a client last got a connection, as {@link System#nanoTime()}; 0 if never. */
    public long lastSuccess() {
        return lastSuccess;
    }

    /**
     * Why the backend refuses to serve through this pool (login refused, no session tracking) if the last attempt
     * to connect failed that way; null otherwise. Unlike an unreachable backend, this does not heal by waiting.
     */
    public String refusal() {
        String failure = lastFailure();
        return failure != null && (failure.contains("Access denied") || failure.contains(io.sluice.backend.BackendConnection.SESSION_TRACKING_REFUSED))
                ? failure : null;
    }

    /** Why the last connection attempt failed, or null if it has not failed since it last succeeded. */
    public String lastFailure() {
        return lastFailureAt > lastSuccess ? lastFailure : null;
    }

    /**
     * A connection of this pool was found dead: the backend likely restarted or failed over, and the idle
     * connections opened before are dead too. Closing them now spares the next clients from finding out.
     */
    public void flushIdle() {
        for (AgroalDataSource ds : variants) {
            if (ds != null) {
                ds.flush(AgroalDataSource.FlushMode.IDLE);
            }
        }
    }

    /** Gives a connection back; {@code how} says whether it is clean, needs a reset, or must go. */
    public void release(Lease lease, Release how, String reason) {
        Lease.Stage from = lease.release();
        if (from == null) {
            return;
        }
        out.remove(lease);
        ChannelLoan loan = lease.backend().connection().loan();
        if (loan.withLoop()) {
            // Its socket rests on an event loop since its last command (ChannelLoan#rest). A client waiting on a loop
            // takes it as it is (see handOver); anything else needs Connector/J, so the socket goes back first. On a
            // Netty thread that means going on once the loop has given it back: waiting there could stall the loop.
            if (how == Release.KEEP && passesAsItIs(lease) && handOver(lease)) {
                afterRelease(from, true);
                return;
            }
            if (ChannelLoan.mustNotWait()) {
                Release asked = how;
                String why = reason;
                loan.giveBack().whenComplete((given, failure) -> settle(lease, from, failure == null ? asked : Release.DISCARD,
                        failure == null ? why : failure.getMessage()));
                return;
            }
            if (!loan.reclaim()) {
                how = Release.DISCARD;
                reason = "closed on the event loop it rested on";
            }
        }
        settle(lease, from, how, reason);
    }

    /** The rest of {@link #release}, with the connection's socket Connector/J's (or closed). */
    private void settle(Lease lease, Lease.Stage from, Release how, String reason) {
        boolean handedOver = false;
        try {
            Release decision = how;
            if (decision != Release.DISCARD && permits.availablePermits() < 0 && openConnections() > limit) {
                // More are out than a limit that shrank meanwhile allows: this one retires, clean, instead of going back.
                // Only while more are open than the limit, though: permits held by borrowers whose login the database
                // refused (ERR 1040) count as out until they give them back, and retiring for those could leave the
                // pool without a single connection while the database is full, its clients waiting for nothing.
                LOG.debugf("retiring backend connection %d of %s: over the pool's limit of %d", (Object) lease.backend().connection().threadId(), name, limit);
                discard(lease.pooled());
                return;
            }
            if (decision == Release.KEEP && lease.backend().connection().transaction().mayBeInTransaction()) {
                // The client side said clean, but the backend's own answers leave a transaction open, or cannot tell:
                // the last line against running another client inside it. It means a bug in the client side's tracking.
                LOG.warnf("backend connection %d of %s came back as clean (%s) where its answers leave a transaction open "
                        + "or unknown; it is reset", lease.backend().connection().threadId(), name, reason);
                decision = Release.RESET;
            }
            if (decision != Release.DISCARD && lease.backend().connection().transaction().mayHoldUnflaggedTransaction()) {
                // A transaction no flag shows, which a reset does not end: the next client's first statement with
                // autocommit on would commit what the last client wrote and never committed (program 353 of seed 7474).
                // Closing the connection is the one thing that rolls it back, as the client's own disconnect would.
                decision = Release.DISCARD;
                reason = "it may hold a transaction its status flags do not show";
            }
            if (decision == Release.RESET && !reset(lease.backend())) {
                decision = Release.DISCARD;
                reason = "reset failed";
            }
            if (decision == Release.DISCARD) {
                LOG.debugf("discarding backend connection %d of %s: %s", lease.backend().connection().threadId(), name, reason);
                lease.backend().connection().abort();
                discard(lease.pooled());
            } else if (handOver(lease)) {
                handedOver = true;
            } else {
                lease.pooled().close();
            }
        } catch (SQLException e) {
            LOG.debugf(e, "returning a connection to %s failed", name);
        } finally {
            afterRelease(from, handedOver);
        }
    }

    /** A released lease's permit: passed on with the connection, or freed; and it no longer counts as expiring. */
    private void afterRelease(Lease.Stage from, boolean handedOver) {
        if (!handedOver) {
            permits.release();
            permitFreed();
        }
        if (from == Lease.Stage.EXPIRING) {
            expiring.decrementAndGet();
        }
    }

    /**
     * Whether {@code lease}'s connection may go to a client waiting on its event loop as it is, with its socket resting
     * on a loop (see {@link #release}): clean, with no transaction in doubt, and the pool within its limit.
     */
    private boolean passesAsItIs(Lease lease) {
        // What settle would find: no transaction open or in doubt (mayBeInTransaction counts one no flag shows too).
        return permits.availablePermits() >= 0 && !lease.backend().connection().transaction().mayBeInTransaction();
    }

    /** Settles {@code waiter} with a new lease on {@code lease}'s connection and permit, on the waiter's loop. */
    private void handTo(LoopWaiter waiter, Lease lease) {
        waited();
        Lease next = handOut(new Lease(this, lease.pooled(), lease.backend(), waiter.foundRows));
        telemetry.borrowed(System.nanoTime() - waiter.since);
        waiter.loop.execute(() -> waiter.then.accept(next));
    }

    /** Takes the backend out of its default schema; false if the backend broke doing so. */
    public boolean leaveSchema(PooledBackend backend) {
        try {
            backend.connection().changeUser(login());
            backend.connection().enableSessionTracking();
            backend.state().afterChangeUser();
            backend.statements().clear();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Stops the statement running on backend thread {@code threadId} (KILL QUERY), from a connection of its own
     * so that it works even when every pooled connection is busy.
     *
     * @return whether the KILL's fate is known: false only when it was sent and not answered, so that it may
     *         still land on whatever that backend runs next
     */
    public boolean killQuery(long threadId) {
        Credential login = login();
        java.util.Properties props = ConnectionSettings.properties(true, tlsProperties, jdbcProperties);
        props.setProperty("user", login.username());
        props.setProperty("password", login.passwordString());
        // Bounded: the victim's session waits for this answer before its backend may run anything else.
        props.setProperty("socketTimeout", Long.toString(KILL_TIMEOUT_MILLIS));
        Connection c;
        try {
            c = ConnectorJ.connect(target.host(), target.port(), props);
        } catch (SQLException e) {
            LOG.debugf("KILL QUERY %d on %s not sent: %s", threadId, name, e.getMessage());
            return true;
        }
        try (c; java.sql.Statement s = c.createStatement()) {
            s.execute("KILL QUERY " + threadId);
            return true;
        } catch (SQLException e) {
            LOG.debugf("KILL QUERY %d on %s failed: %s", threadId, name, e.getMessage());
            // An error from the server (ER_NO_SUCH_THREAD) is an answer; a broken connection is not.
            return e.getErrorCode() != 0;
        }
    }

    /**
     * Puts a borrowed backend's session back as it was when opened (for state another client left that cannot
     * be undone statement by statement); false if the backend broke doing so.
     */
    public boolean resetSession(PooledBackend backend) {
        return reset(backend);
    }

    /** How long the connection sending a KILL QUERY waits for the server's answer. */
    private static final long KILL_TIMEOUT_MILLIS = 10_000;

    /** COM_RESET_CONNECTION, then session tracking back on: the server forgot both the session and the tracking. */
    private boolean reset(PooledBackend backend) {
        try {
            byte[] answer = backend.connection().call(new byte[] {CommandType.COM_RESET_CONNECTION});
            if ((answer[0] & 0xff) != OkPacket.HEADER) {
                return false;
            }
            // Ending the old session may raise conditions of its own (the OK counts them): the server keeps them
            // through statements that read no table, so they are cleared before a client may read them.
            boolean raised = OkPacket.decode(answer, answer.length, backend.connection().sessionTrack()).warnings() > 0;
            backend.statements().clear();
            backend.connection().enableSessionTracking();
            backend.state().afterReset(raised);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void discard(Connection pooled) {
        try {
            ConnectorJ.destroyOnClose(pooled);
            pooled.close();
        } catch (SQLException e) {
            LOG.debugf(e, "closing a discarded connection of %s failed", name);
        }
    }

    private synchronized AgroalDataSource dataSource(boolean foundRows) throws SQLException {
        int index = foundRows ? 1 : 0;
        if (variants[index] == null) {
            variants[index] = create(foundRows);
        }
        return variants[index];
    }

    /** The current backend login: looked up at every use, so that a rotated secret takes effect for new connections. */
    private Credential login() {
        return credentials.backendLogin(user).orElseThrow(() -> new IllegalStateException("user " + user + " is no longer configured"));
    }

    private AgroalDataSource create(boolean foundRows) throws SQLException {
        AgroalDataSourceConfigurationSupplier supplier = new AgroalDataSourceConfigurationSupplier()
                .metricsEnabled(true)
                .connectionPoolConfiguration(cp -> {
                    cp.maxSize(limit)
                            .minSize(Math.min(config.minIdle(), limit))
                            .initialSize(Math.min(config.minIdle(), limit))
                            // No wait inside Agroal: the fair semaphore above does the waiting (and keeps borrowed
                            // connections within max-size, so Agroal never runs out), and borrow() retries a failed
                            // connection attempt itself in short steps. Agroal's own retry would wait up to a second.
                            .acquisitionTimeout(Duration.ZERO)
                            .idleValidationTimeout(config.validationInterval())
                            .reapTimeout(config.idleTimeout())
                            .maxLifetime(config.maxLifetime())
                            .connectionValidator(ConnectionValidator.defaultValidatorWithTimeout(2))
                            .exceptionSorter(new MySQLExceptionSorter())
                            // Clients run on virtual threads; a per-thread cache would only pin connections to dead threads.
                            .connectionCache(ConnectionCache.none())
                            .connectionFactoryConfiguration(cf -> {
                                cf.connectionProviderClass(ConnectorJ.driverClass())
                                        .jdbcUrl(ConnectionSettings.jdbcUrl(target.host(), target.port()))
                                        // Resolved at every connection Agroal opens, not once: passwords rotate.
                                        .credential(new CurrentLogin(user))
                                        .addSecurityProvider(new CurrentLogin.Provider(credentials));
                                ConnectionSettings.properties(foundRows, tlsProperties, jdbcProperties)
                                        .forEach((k, v) -> cf.jdbcProperty(k.toString(), v.toString()));
                                return cf;
                            });
                    return cp;
                });
        return AgroalDataSource.from(supplier, new AgroalDataSourceListener() {
            @Override
            public void onConnectionDestroy(Connection connection) {
                backends.remove(connection);
                telemetry.connectionClosed();
            }

            @Override
            public void onWarning(Throwable throwable) {
                LOG.debugf("pool %s: %s", name, throwable.getMessage());
            }
        });
    }

    private BackendUnavailableException unavailable(SQLException e) {
        SQLException cause = e;
        while (cause.getCause() instanceof SQLException inner) {
            cause = inner;
        }
        int code = cause.getErrorCode();
        if (code == ErrorCode.ER_ACCESS_DENIED_ERROR) {
            credentials.loginRejected(user);
        }
        return new BackendUnavailableException(whyUnavailable(code, cause.getMessage(), e), code, cause.getSQLState(), e);
    }

    /**
     * What a client is told (and readiness and the log say) when no connection could be made: what went wrong, in the
     * database's words or the network's, and the settings to look at. Never a password.
     */
    private String whyUnavailable(int code, String databaseSays, Throwable failure) {
        String setting = "sluice.users.\"" + user + "\"";
        if (code == ErrorCode.ER_ACCESS_DENIED_ERROR) {
            return "The database refused Sluice's login as '" + loginName() + "' (" + databaseSays + "): the password Sluice "
                    + "has for user '" + user + "' is not the database's; check " + setting + ".password (or its secret-id, "
                    + "or the database user's IAM setup with iam-auth)";
        }
        if (code != 0 && !ErrorCode.isClientLibraryCode(code)) {
            return "The database at " + target.name() + " refused Sluice's connection as '" + loginName() + "': " + databaseSays;
        }
        if (ConnectionSettings.refusedPublicKeyRetrieval(failure)) {
            return "The database at " + target.name() + " asks Sluice's login as '" + loginName() + "' for caching_sha2_password's "
                    + "full authentication, which over plain TCP needs the server's RSA public key: turn on backend TLS "
                    + "(sluice.backend.tls.mode), give the key (sluice.backend.jdbc-properties.serverRSAPublicKeyFile), or, where "
                    + "nothing can come between Sluice and the database, let Sluice fetch it "
                    + "(sluice.backend.jdbc-properties.allowPublicKeyRetrieval=true)";
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return "Cannot reach the database at " + target.name() + " (" + reason + "): check that it is running and that "
                + "sluice.backend.host and sluice.backend.port (or the host in " + setting + ".secret-id's secret) name it";
    }

    /** The name Sluice logs in to the backend with: the user's own, or its secret's {@code username}. */
    private String loginName() {
        return credentials.backendLogin(user).map(Credential::username).orElse(user);
    }

    @Override
    public synchronized void close() {
        closed = true;
        // Clients waiting on their loops borrow on threads, and hear that the pool is gone.
        while (!loopWaiters.isEmpty()) {
            permitFreed();
        }
        for (int i = 0; i < variants.length; i++) {
            if (variants[i] != null) {
                variants[i].close();
                variants[i] = null;
            }
        }
    }
}
