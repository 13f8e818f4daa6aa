package io.sluice.frontend;

import io.sluice.config.SluiceConfig;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Memory that the packets clients send may hold, all clients together ({@code sluice.client.max-packet-bytes-total}):
 * a packet being received, those queued for a session, and the one a session is serving. A statement is read whole
 * before it is inspected and relayed, so one client may make Sluice hold up to {@code max-packet-size}; without a
 * bound across clients, forty clients sending 40 MB statements slowly would hold 1.6 GB.
 *
 * <p>What is held is counted as the arrays that hold it: a packet's buffer asks the budget before it grows. Past the
 * bound, a client whose buffer would grow beyond {@link #ALLOWANCE} is not read until others' packets are served: it
 * waits, and is not refused. Two exceptions keep everyone moving:
 * <ul>
 *   <li>a client holding no more than {@link #ALLOWANCE} is always read, so clients sending ordinary statements never
 *       wait on ones sending huge packets;</li>
 *   <li>the client that has held more than the allowance longest is always read, so the packets holding the budget
 *       finish one by one rather than wait on each other for ever (a client that stops sending its packet is
 *       disconnected after {@code packet-timeout}, which frees what it held).</li>
 * </ul>
 * Held bytes therefore stay under the bound plus one packet of {@code max-packet-size}. Not counted: a waiting
 * client's bytes already read from its socket (a read or a few, of up to 64 KiB each). Thread-safe: event loops
 * charge what arrives, sessions give back what they have served.
 */
final class PacketBudget {
    /** What a client may hold without ever waiting: many ordinary statements, and a login's packets. */
    static final long ALLOWANCE = 64 * 1024;

    private final long limit;
    private long held;
    /** The clients holding more than the allowance, longest first. */
    private final LinkedHashSet<Share> large = new LinkedHashSet<>();
    private final List<Share> waiting = new ArrayList<>();

    PacketBudget(long limit) {
        this.limit = limit;
    }

    static PacketBudget of(SluiceConfig.Client config) {
        return new PacketBudget(config.maxPacketBytesTotal().map(m -> m.asLongValue()).orElse(Runtime.getRuntime().maxMemory() / 4));
    }

    /** Bytes all clients' packets hold now. */
    synchronized long held() {
        return held;
    }

    /** @param resume called, on any thread, when a client paused by the budget may be read again */
    Share share(Runnable resume) {
        return new Share(resume);
    }

    private void change(Share share, long delta) {
        held += delta;
        share.held += delta;
        if (share.held > ALLOWANCE) {
            large.add(share);
        } else {
            large.remove(share);
        }
    }

    /** Whether {@code share} may hold {@code bytes} more now; if not, it waits. Call with the lock held. */
    private boolean mayGrow(Share share, long bytes) {
        if (share.held + bytes <= ALLOWANCE || held + bytes <= limit || isLongest(share)) {
            return true;
        }
        if (!share.paused) {
            share.paused = true;
            waiting.add(share);
        }
        return false;
    }

    /** No other client has held more than the allowance for longer. */
    private boolean isLongest(Share share) {
        return large.isEmpty() || large.iterator().next() == share;
    }

    /** The waiting clients that may ask again: all of them under the bound, else the one that has held longest. */
    private synchronized List<Share> readable() {
        List<Share> resumed = new ArrayList<>();
        for (var it = waiting.iterator(); it.hasNext(); ) {
            Share s = it.next();
            if (held < limit || isLongest(s)) {
                s.paused = false;
                it.remove();
                resumed.add(s);
            }
        }
        return resumed;
    }

    private void wake() {
        // Outside the lock: a resume schedules work on the client's event loop.
        for (Share s : readable()) {
            s.resume.run();
        }
    }

    /** One client's packets. */
    final class Share {
        private final Runnable resume;
        // Guarded by the budget.
        private long held;
        private boolean paused;
        private boolean gone;

        private Share(Runnable resume) {
            this.resume = resume;
        }

        /**
         * Asks for {@code bytes} more (a packet's buffer growing), and takes them when they fit; false when the client
         * must wait for {@code resume}.
         */
        boolean grow(long bytes) {
            synchronized (PacketBudget.this) {
                if (gone) {
                    return true;
                }
                if (!mayGrow(this, bytes)) {
                    return false;
                }
                change(this, bytes);
                return true;
            }
        }

        /** Bytes held, or given back when negative: others may be read again. */
        void take(long bytes) {
            if (bytes == 0) {
                // Nothing to count (a read that only filled an array already granted): no lock taken.
                return;
            }
            synchronized (PacketBudget.this) {
                if (gone) {
                    return;
                }
                change(this, bytes);
            }
            if (bytes < 0) {
                wake();
            }
        }

        /** Bytes served: others may be read again. */
        void give(long bytes) {
            take(-bytes);
        }

        /** The client is gone: all it held is free. */
        void giveAll() {
            synchronized (PacketBudget.this) {
                waiting.remove(this);
                this.paused = false;
                change(this, -held);
                gone = true;
            }
            wake();
        }
    }
}
