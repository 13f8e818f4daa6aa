package io.sluice.relay;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The backend thread a client's relayed command runs on, as another session's KILL QUERY finds it.
 *
 * <p>KILL QUERY reaches the backend out of band, on a connection of its own, some milliseconds after the killer read
 * the thread id. By then the command may have ended and the backend, back in the pool, may be running another
 * client's statement, which the KILL would stop. So a kill holds the command open: the victim's session cannot
 * finish relaying, give its backend back or start anything else on it until the KILL has been answered (or never
 * sent). A KILL sent and not answered may still land at any time, so that backend is not used again.
 *
 * <p>A KILL QUERY that lands after the statement ended, while the backend waits for its next command, is dropped by
 * the server (MySQL and MariaDB reset it when the next command starts), so waiting until it is answered suffices.
 */
public final class KillGuard {
    /** How long a session waits for a KILL in flight at most; the killer's own timeouts end it well before. */
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition answered = lock.newCondition();
    private volatile long thread = -1;
    private int inFlight;
    private boolean unanswered;

    /** The session's command starts running on backend thread {@code threadId}. */
    void running(long threadId) {
        lock.lock();
        try {
            thread = threadId;
            unanswered = false;
        } finally {
            lock.unlock();
        }
    }

    /** The backend thread running the session's command now, or -1. */
    public long thread() {
        return thread;
    }

    /**
     * For another session's KILL QUERY: the backend thread to kill, which stays this command's until
     * {@link #killed} is called; -1 when no command runs (then there is nothing to kill and nothing to call).
     */
    public long hold() {
        lock.lock();
        try {
            if (thread >= 0) {
                inFlight++;
            }
            return thread;
        } finally {
            lock.unlock();
        }
    }

    /** @param answered whether the KILL's fate is known: the server answered it, or it was never sent */
    public void killed(boolean answered) {
        lock.lock();
        try {
            inFlight--;
            unanswered |= !answered;
            this.answered.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The command's answer is complete, on the event loop, which must not wait: {@link #finished}'s answer when no KILL
     * is in flight, else null (the command stays open, and the session's thread calls {@link #finished}).
     */
    Boolean finishedIfNoneInFlight() {
        lock.lock();
        try {
            if (inFlight > 0) {
                return null;
            }
            thread = -1;
            return !unanswered;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The command's answer is complete: waits for the KILLs in flight. False when one was sent and not answered:
     * the backend must not run anything else.
     */
    boolean finished() {
        lock.lock();
        boolean interrupted = false;
        try {
            long left = PATIENCE_NANOS;
            while (inFlight > 0 && left > 0) {
                try {
                    left = answered.awaitNanos(left);
                } catch (InterruptedException e) {
                    // Shutdown interrupts sessions; the backend still must not move on before the KILL is settled.
                    interrupted = true;
                }
            }
            boolean clean = inFlight == 0 && !unanswered;
            thread = -1;
            return clean;
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
