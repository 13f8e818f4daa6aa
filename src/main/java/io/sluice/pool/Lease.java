package io.sluice.pool;

import io.sluice.session.PinReason;

import java.sql.Connection;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One borrowing of a backend connection, and where it is in its life: the one state machine of a lease. Its holder
 * (the client's LeaseHolder, in the relay) and its pool (a borrower, the janitor) move it only through the transitions of {@link Stage},
 * each one compare-and-set, so that when two race for it exactly one wins.
 *
 * <pre>
 *            lend                park                 take (another client's borrow)
 *   LENT &lt;-------- HELD ---------------&gt; PARKED ------------------------&gt; TAKEN ------+
 *        --------&gt;  |  &lt;--------------- |   \                                       |
 *        give back  |     resume        |    \ expire (janitor)                     |
 *                   |  leave            v     v                                     |
 *                   +-----------&gt; LEFT -----&gt; EXPIRING --------------+             |
 *                   |                 take (any client's borrow)      |             |
 *                   | release (KEEP, RESET, DISCARD)                  v             v
 *                   +------------------------------------------&gt; RELEASED &lt;--------+
 * </pre>
 *
 * <p>{@code LENT} covers one command relayed on the loop. Between commands, a held or parked lease's socket may rest
 * on its holder's loop (see ChannelLoan#rest): a borrower there takes it over with no system call, and anyone else who
 * takes the lease gives the socket back to Connector/J first (ChannelLoan#reclaim, or {@link BackendPool#release}).
 *
 * <p>A lease is taken from a parked one by handing its connection and permit to a new lease, for the next client;
 * the taken one is over, and its holder finds it so when it tries to resume. A lease given back to a client waiting
 * on its event loop goes the same way, through {@link BackendPool#release}.
 */
public final class Lease {
    /** The stages of a lease's life, with the transitions out of each. */
    public enum Stage {
        /** Its holder uses the backend through Connector/J, on the holder's thread. */
        HELD,
        /** Its holder's event loop relays a command over the backend's socket (see ChannelLoan): Connector/J must not touch it. */
        LENT,
        /** Its holder keeps the backend between statements, unless another client needs it first or the affinity time passes. */
        PARKED,
        /** Parked by a holder that left: any client may take it, and nobody else will resume it. */
        LEFT,
        /** Taken from its parked holder; its connection went on in another lease. */
        TAKEN,
        /** Taken by the janitor past the affinity time, on its way back to Agroal. */
        EXPIRING,
        /** Given back to the pool (kept, reset, or discarded); over. */
        RELEASED;

        private Set<Stage> next;

        static {
            HELD.next = EnumSet.of(LENT, PARKED, LEFT, RELEASED);
            LENT.next = EnumSet.of(HELD);
            PARKED.next = EnumSet.of(HELD, TAKEN, EXPIRING);
            LEFT.next = EnumSet.of(HELD, TAKEN, EXPIRING);
            TAKEN.next = EnumSet.of(RELEASED);
            EXPIRING.next = EnumSet.of(RELEASED);
            RELEASED.next = EnumSet.noneOf(Stage.class);
        }

        /** Whether a lease may move from this stage to {@code to}. */
        public boolean leadsTo(Stage to) {
            return next.contains(to);
        }
    }

    private final BackendPool pool;
    private final Connection pooled;
    private final PooledBackend backend;
    private final boolean foundRows;
    private final AtomicReference<Stage> stage = new AtomicReference<>(Stage.HELD);
    private volatile long parkedAt;
    /** Why the holder is pinned to this backend (empty when it is not): read by the pool to explain a full pool. */
    private volatile Set<PinReason> pins = Set.of();

    Lease(BackendPool pool, Connection pooled, PooledBackend backend, boolean foundRows) {
        this.pool = pool;
        this.pooled = pooled;
        this.backend = backend;
        this.foundRows = foundRows;
    }

    public PooledBackend backend() {
        return backend;
    }

    public BackendPool pool() {
        return pool;
    }

    public boolean foundRows() {
        return foundRows;
    }

    Connection pooled() {
        return pooled;
    }

    public Stage stage() {
        return stage.get();
    }

    /** The holder has the backend now, on its thread or lent to its event loop (not parked, not taken away). */
    public boolean held() {
        Stage s = stage.get();
        return s == Stage.HELD || s == Stage.LENT;
    }

    /** The holder's event loop relays a command over the backend's socket now. */
    public boolean lent() {
        return stage.get() == Stage.LENT;
    }

    /** Parked, by a holder that may come back for it or by one that left: any client's borrow may take it. */
    public boolean parked() {
        Stage s = stage.get();
        return s == Stage.PARKED || s == Stage.LEFT;
    }

    /** Parked by a holder that left ({@link BackendPool#leave}), which no client's affinity wants. */
    boolean left() {
        return stage.get() == Stage.LEFT;
    }

    /**
     * Moves the lease from {@code from} to {@code to}; false when it is not at {@code from} (someone else moved it
     * first). A transition {@link Stage} does not have is a bug of Sluice's own, and fails loudly.
     */
    private boolean move(Stage from, Stage to) {
        if (!from.leadsTo(to)) {
            throw new IllegalStateException("a lease cannot go from " + from + " to " + to);
        }
        return stage.compareAndSet(from, to);
    }

    /** The holder's event loop takes the backend's socket over; the holder's thread must not use the backend till {@link #lentBack}. */
    public void lend() {
        require(move(Stage.HELD, Stage.LENT), Stage.LENT);
    }

    /** The socket is back with Connector/J (given back, or closed after the relay broke). */
    public void lentBack() {
        require(move(Stage.LENT, Stage.HELD), Stage.HELD);
    }

    private void require(boolean moved, Stage to) {
        if (!moved) {
            throw new IllegalStateException("a lease cannot go from " + stage.get() + " to " + to);
        }
    }

    /**
     * The holder takes its parked lease back; false when the pool took it first (the holder must borrow anew). The pool
     * also takes back one it has just parked or left, when it finds that clients began to wait meanwhile.
     */
    public boolean resume() {
        return move(Stage.PARKED, Stage.HELD) || move(Stage.LEFT, Stage.HELD);
    }

    /** Parks a held lease: for its holder ({@code holderLeaves} false), or for any client ({@code true}). */
    boolean park(boolean holderLeaves) {
        parkedAt = System.nanoTime();
        return move(Stage.HELD, holderLeaves ? Stage.LEFT : Stage.PARKED);
    }

    /** The pool takes a parked lease away from its holder, for another client. */
    boolean take() {
        return move(Stage.PARKED, Stage.TAKEN) || move(Stage.LEFT, Stage.TAKEN);
    }

    /** The janitor takes a lease parked past the affinity time, to give it back. */
    boolean expire() {
        return move(Stage.PARKED, Stage.EXPIRING) || move(Stage.LEFT, Stage.EXPIRING);
    }

    long parkedAt() {
        return parkedAt;
    }

    /**
     * Ends the lease as it goes back to the pool: the stage it ended from (held, taken, or expiring), or null when it had
     * ended already (the holder and the pool may both try; only the first counts).
     */
    Stage release() {
        while (true) {
            Stage s = stage.get();
            if (s == Stage.RELEASED) {
                return null;
            }
            if (move(s, Stage.RELEASED)) {
                return s;
            }
        }
    }

    /** The holder's pin reasons, kept current by the holder (the pool reads them from other threads). */
    public void pinnedFor(Set<PinReason> reasons) {
        pins = reasons.isEmpty() ? Set.of() : Set.copyOf(reasons);
    }

    public Set<PinReason> pins() {
        return pins;
    }
}
