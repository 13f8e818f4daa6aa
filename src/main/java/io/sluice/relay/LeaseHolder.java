package io.sluice.relay;

import io.sluice.config.SluiceConfig;
import io.sluice.observe.Telemetry;
import io.sluice.pool.BackendPool;
import io.sluice.pool.BackendUnavailableException;
import io.sluice.pool.BorrowTimeoutException;
import io.sluice.pool.Lease;
import io.sluice.pool.PooledBackend;
import io.sluice.pool.Release;
import io.sluice.session.PinReason;
import io.netty.channel.EventLoop;
import org.jboss.logging.Logger;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A client's side of its lease, where {@link Lease} is the lease's own stages: which lease the client has, how it gets
 * one (a borrow on its session's thread; on its event loop, a parked lease taken over, a wait in the pool's queue, or a
 * borrow on a virtual thread), what pins it there, how long it keeps the backend for its last statement's diagnostics,
 * lending the backend's socket to the event loop and taking it back, parking it, and giving it back. What the client's
 * session needs from the backend before it goes (read-backs, a reset) is {@link BackendLink}'s, which asks here.
 *
 * <p>Used by one client at a time: its session's thread, or its event loop while the session has no thread. A borrow
 * for the loop on a virtual thread hands its lease to the loop, which is the only one to set it.
 */
public final class LeaseHolder {
    private static final Logger LOG = Logger.getLogger(LeaseHolder.class);
    /** Commands in a row that neither raise conditions nor read them, after which a backend held for them goes back while other clients wait. */
    private static final int MAX_HELD_COMMANDS = 32;

    private final SluiceConfig config;
    private final Telemetry telemetry;
    private final long connectionId;
    private final Set<PinReason> exempt;
    private final long holdNanos;
    /** What the link knew of the backend, which goes with it whenever the lease ends. */
    private final Runnable ended;
    private final EnumSet<PinReason> pins = EnumSet.noneOf(PinReason.class);
    private BackendPool pool;
    private boolean foundRows;
    private Lease lease;
    /**
     * A parked backend was taken back on the event loop and not yet found open by a take-over there: the thread that
     * serves the command instead checks it, as {@link #takeBack} checks one it takes back itself.
     */
    private boolean parkedUnchecked;
    /** The client waited on its event loop for a backend already: its borrow on the thread ends when that wait would have. */
    private long borrowDeadline;
    /** Why the last borrow made for the event loop failed ({@link #borrowForLoop}), for the session's thread to answer. */
    private Exception borrowFailure;
    /** Until when (System.nanoTime()) an idle client keeps its backend for its next statement; 0 when it does not. */
    private long holdUntil;
    /** Commands in a row, neither raising conditions nor reading them, after which the backend was kept. */
    private int heldCommands;

    /** Where the client stands for a backend on the event loop ({@link #onLoop}). */
    public enum LoopLease {
        /** It has a lease: held, or parked (taken back by {@link #resumeForLoop}). */
        HELD,
        /**
         * It waits for a lease with no thread of its own: in the pool's queue, or while a virtual thread borrows for it
         * (see borrowForLoop); the callback given says when that is over.
         */
        WAITING
    }

    /**
     * @param exempt the pin reasons configured not to pin (sluice.pinning.exemptions)
     * @param ended  runs whenever the lease ends: what was known of its backend goes with it
     */
    LeaseHolder(SluiceConfig config, Telemetry telemetry, Set<PinReason> exempt, long connectionId, Runnable ended) {
        this.config = config;
        this.telemetry = telemetry;
        this.exempt = exempt;
        this.connectionId = connectionId;
        this.ended = ended;
        this.holdNanos = config.pool().diagnosticsHold().toNanos();
    }

    /** The pool the client's leases come from, and whether its backends count found rows (CLIENT_FOUND_ROWS). */
    void serve(BackendPool pool, boolean foundRows) {
        this.pool = pool;
        this.foundRows = foundRows;
        this.pins.clear();
        this.holdUntil = 0;
    }

    public BackendPool pool() {
        return pool;
    }

    /** Whether the client has no lease at all, not even a parked one: giving up its session needs no backend. */
    boolean none() {
        return lease == null;
    }

    /** Whether the client uses a backend now (a parked one does not count: any client may take it). */
    public boolean held() {
        return lease != null && lease.held();
    }

    /** The backend the client uses now; null when it holds none. */
    public PooledBackend backend() {
        return held() ? lease.backend() : null;
    }

    /** Whether {@code backend} is the one of the client's lease, held or parked. */
    boolean isOf(PooledBackend backend) {
        return lease != null && lease.backend() == backend;
    }

    /** A command is relayed on the event loop over the backend's socket now. */
    boolean lent() {
        return lease != null && lease.lent();
    }

    /** The lease is taken back from parking on the loop and its backend not yet found open (see {@link #resumeForLoop}). */
    boolean parkedUnchecked() {
        return parkedUnchecked;
    }

    // ---- pins ----

    /** The client is tied to its backend for {@code reason}, unless configured not to be. */
    void pin(PinReason reason) {
        if (exempt.contains(reason) || reason == PinReason.CONNECTION_ID && !config.pinning().onConnectionId()) {
            return;
        }
        if (pins.add(reason)) {
            telemetry.pinned(reason.label());
            LOG.debugf("client %d pinned to its backend: %s", connectionId, reason.label());
            if (lease != null) {
                lease.pinnedFor(pins);
            }
        }
    }

    /** Nothing ties the client to a backend any more: a reset, or the backend gone. */
    void unpin() {
        pins.clear();
        if (lease != null) {
            lease.pinnedFor(pins);
        }
    }

    public boolean pinned() {
        return !pins.isEmpty();
    }

    // ---- on the session's thread ----

    /**
     * Before the session's thread uses its lease: the socket taken back from the event loop where it rested, and a
     * parked lease taken back from parking. A backend found closed meanwhile is discarded, as if it had died idle in the
     * pool; one closed on the loop stays when {@code stateOnIt} (the client hears of it at its next use). False when the
     * client has no lease now (it had none, another client took its parked one, or it was discarded).
     */
    boolean takeBack(boolean stateOnIt) {
        if (!reclaimFromLoop() && !stateOnIt) {
            giveBack(Release.DISCARD, "closed while it rested on an event loop");
        }
        if (lease != null && parkedUnchecked) {
            parkedUnchecked = false;
            if (lease.backend().connection().isClosedByServer()) {
                giveBack(Release.DISCARD, "closed by the server while parked");
            }
        }
        if (lease != null && !lease.held()) {
            if (!lease.resume()) {
                // Taken over by another client while parked.
                lease = null;
            } else if (!reclaimFromLoop() || lease.backend().connection().isClosedByServer()) {
                // Closed while parked (a restart or failover): as if it had died idle in the pool.
                giveBack(Release.DISCARD, "closed by the server while parked");
            }
        }
        return lease != null;
    }

    /**
     * Borrows on the session's thread, within what is left of a wait on the event loop if there was one. A borrow made
     * for the loop that failed ({@link #borrowForLoop}) is thrown here instead, to be answered as this thread's own.
     */
    void borrow() throws BorrowTimeoutException, BackendUnavailableException, InterruptedException {
        long deadline = borrowDeadline != 0 ? borrowDeadline : System.nanoTime() + config.pool().borrowTimeout().toNanos();
        borrowDeadline = 0;
        Exception failed = borrowFailure;
        borrowFailure = null;
        if (failed instanceof BorrowTimeoutException e) {
            throw e;
        } else if (failed instanceof BackendUnavailableException e) {
            throw e;
        } else if (failed instanceof InterruptedException e) {
            throw e;
        } else if (failed instanceof RuntimeException e) {
            throw e;
        }
        hold(pool.borrow(foundRows, deadline));
    }

    /**
     * On the session's thread, before it uses the backend it holds: its socket, if it rests on the event loop since the
     * client's last command, goes back to Connector/J. If the server closed it meanwhile, it is closed: Connector/J's
     * next use fails, and the client hears of it as on a connection of its own. False then.
     */
    public boolean reclaimFromLoop() {
        if (lease == null || !lease.held()) {
            return true;
        }
        boolean back = lease.backend().connection().loan().reclaim();
        if (!back) {
            LOG.debugf("backend %d was closed while it rested on the event loop", lease.backend().connection().threadId());
        }
        return back;
    }

    // ---- on the event loop ----

    /**
     * For a command relayed on the event loop: the backend of the client's lease, a parked one taken back (whether the
     * server closed it meanwhile is known at the take-over, see {@link #lend}). Null when the client has none, or
     * another client took its parked one.
     */
    PooledBackend resumeForLoop() {
        if (lease == null) {
            return null;
        }
        if (!lease.held()) {
            if (!lease.resume()) {
                // Taken over by another client while parked.
                lease = null;
                return null;
            }
            parkedUnchecked = true;
        }
        return lease.backend();
    }

    /**
     * On the event loop, for a client with no lease: a connection taken over from a parked lease now, or a wait in
     * the pool's queue with no thread ({@link BackendPool#waitOnLoop}) until a client gives one back, or up to the
     * borrow timeout, or a borrow on a virtual thread when one is needed ({@link #borrowForLoop}). {@code woken} then
     * runs on {@code loop}: true with the lease the client now holds, false when it is to borrow on its thread after
     * all (the rest of the borrow timeout still applies there), or to answer why the borrow failed.
     */
    public LoopLease onLoop(EventLoop loop, Consumer<Boolean> woken) {
        if (lease != null && !lease.held() && !lease.parked()) {
            // Taken over by another client while parked.
            lease = null;
            parkedUnchecked = false;
        }
        if (lease != null) {
            return LoopLease.HELD;
        }
        return waitOnLoop(loop, System.nanoTime() + config.pool().borrowTimeout().toNanos(), woken);
    }

    /** The pool's wait on the loop for {@link #onLoop}, or its borrow on a virtual thread, until {@code deadline}. */
    private LoopLease waitOnLoop(EventLoop loop, long deadline, Consumer<Boolean> woken) {
        BackendPool.LoopWaiter waiter = new BackendPool.LoopWaiter(foundRows, loop, deadline, handedOver -> {
            if (handedOver != null) {
                hold(handedOver);
                woken.accept(true);
            } else if (deadline - System.nanoTime() > 0) {
                // A permit freed up: a connection may be opened, or taken idle from Agroal, which takes a thread.
                borrowForLoop(loop, deadline, woken);
            } else {
                borrowDeadline = deadline;
                woken.accept(false);
            }
        });
        Lease taken = pool.waitOnLoop(waiter);
        if (taken != null) {
            hold(taken);
            return LoopLease.HELD;
        }
        if (!waiter.queued()) {
            borrowForLoop(loop, deadline, woken);
        }
        return LoopLease.WAITING;
    }

    /**
     * Borrowing takes a thread here (a connection idle in Agroal or to be opened, since a permit looked free), but
     * the command does not: a virtual thread borrows, and the lease comes to the loop as a pool hand-over does. Before,
     * the whole command went to the session's thread and was relayed through Connector/J; with 32 clients on 20
     * connections that was 4-7 % of all statements, each bringing the next (a connection given back while threads
     * queue goes through Agroal, whose free permit sends the next client to a thread). The thread does not wait for a
     * permit: when every connection is out by the time it looks, the client queues on its loop again. A borrow that
     * fails leaves its failure for the session's thread, which answers it ({@link #borrow}).
     */
    private void borrowForLoop(EventLoop loop, long deadline, Consumer<Boolean> woken) {
        Thread.ofVirtual().name("sluice-borrow").start(() -> {
            Lease borrowed = null;
            Exception failure = null;
            try {
                borrowed = pool.borrowIfFree(foundRows, deadline);
            } catch (BorrowTimeoutException | BackendUnavailableException | InterruptedException | RuntimeException e) {
                failure = e;
            }
            Lease got = borrowed;
            Exception failed = failure;
            loop.execute(() -> {
                if (got != null) {
                    hold(got);
                    woken.accept(true);
                } else if (failed != null) {
                    borrowFailure = failed;
                    woken.accept(false);
                } else if (waitOnLoop(loop, deadline, woken) == LoopLease.HELD) {
                    // Every connection was out by the time the thread looked: the client waits on its loop after all.
                    woken.accept(true);
                }
            });
        });
    }

    /** A lease borrowed, taken or handed over becomes the client's, with the pins the pool reads to explain a full pool. */
    private void hold(Lease taken) {
        lease = taken;
        lease.pinnedFor(pins);
    }

    /**
     * The backend's socket was taken over by the event loop ({@link LoopRelay}), which found it open (the check a backend
     * taken back from parking by {@link #resumeForLoop} waits for): the lease is lent there until {@link #lentBack}.
     */
    void lend() {
        parkedUnchecked = false;
        lease.lend();
    }

    /** The socket the event loop had is Connector/J's again (given back, or closed after the relay broke). */
    void lentBack() {
        lease.lentBack();
    }

    // ---- between commands ----

    /**
     * After a command that left diagnostics the client's next statement may read on this backend only: whether it may
     * keep the backend for one more. Commands that neither raise conditions nor read them ({@code readsDiagnostics}
     * false, {@code clean} true) are counted: MariaDB keeps conditions through statements that read no table, so a client
     * that met an error and then runs only such statements (pings, DO SLEEP) would keep its backend for as long as it
     * is busy. While other clients wait, it keeps it for at most MAX_HELD_COMMANDS of them; reading the conditions
     * (SHOW WARNINGS and the like) starts the count again.
     */
    boolean keepsAnotherCommand(boolean readsDiagnostics, boolean clean) {
        if (readsDiagnostics) {
            heldCommands = 0;
        } else if (clean) {
            heldCommands++;
        }
        return heldCommands <= MAX_HELD_COMMANDS || lease.pool().waiting() == 0;
    }

    /** Whether a backend is held for the next statement's diagnostics at all ({@code sluice.pool.diagnostics-hold} above 0). */
    boolean holdsForDiagnostics() {
        return holdNanos > 0;
    }

    /** The client keeps its backend for its next statement, for at most {@code sluice.pool.diagnostics-hold}. */
    void holdForNextStatement() {
        holdUntil = System.nanoTime() + holdNanos;
    }

    /** The backend is no longer held for a next statement: one started, or it went. */
    void stopHolding() {
        holdUntil = 0;
        heldCommands = 0;
    }

    /** A command started: the backend is not held for a next statement while it runs. */
    void commandStarted() {
        holdUntil = 0;
    }

    /** When (System.nanoTime()) the backend the idle client holds for its next statement must go back; 0 if none. */
    public long holdDeadline() {
        return held() ? holdUntil : 0;
    }

    /** Parks the held lease for the client's next statement; false when the pool wants it back now (clients wait). */
    boolean park() {
        return lease.pool().park(lease);
    }

    /**
     * Ends the lease: the pool takes the backend back as it is ({@code KEEP}, parked for any client), reset, or
     * discarded. Nothing when another client took it over while parked.
     */
    void giveBack(Release how, String reason) {
        Lease l = lease;
        LOG.tracef("client %d gives back backend %d (%s): %s", connectionId, l.backend().connection().threadId(), how, reason);
        lease = null;
        parkedUnchecked = false;
        stopHolding();
        ended.run();
        if (!l.held() && !l.resume()) {
            // The pool took it over while parked: it is no longer this client's to give back.
            return;
        }
        l.pinnedFor(EnumSet.noneOf(PinReason.class));
        if (how == Release.KEEP) {
            l.pool().leave(l, reason);
        } else {
            l.pool().release(l, how, reason);
        }
    }
}
