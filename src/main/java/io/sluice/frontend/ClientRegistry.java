package io.sluice.frontend;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The live client sessions, by the connection id each was given in its handshake. */
public final class ClientRegistry {
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicInteger count = new AtomicInteger();
    private final Map<Long, ClientSession> sessions = new ConcurrentHashMap<>();
    private final int max;

    public ClientRegistry(int max) {
        this.max = max;
    }

    /** Claims a slot for a new client, or returns false when {@code max} are connected. */
    boolean tryAdmit() {
        while (true) {
            int c = count.get();
            if (c >= max) {
                return false;
            }
            if (count.compareAndSet(c, c + 1)) {
                return true;
            }
        }
    }

    long nextConnectionId() {
        // Connection ids are 4 bytes in the handshake.
        return nextId.getAndIncrement() & 0xffffffffL;
    }

    void register(ClientSession session) {
        sessions.put(session.connectionId(), session);
    }

    void remove(ClientSession session) {
        if (sessions.remove(session.connectionId()) != null) {
            count.decrementAndGet();
        }
    }

    /** Releases a slot claimed by {@link #tryAdmit()} for a client that never got a session. */
    void releaseSlot() {
        count.decrementAndGet();
    }

    Optional<ClientSession> find(long id) {
        return Optional.ofNullable(sessions.get(id));
    }

    /** The session currently running a command on the backend thread {@code backendThreadId}. */
    Optional<ClientSession> findByBackendThread(long backendThreadId) {
        return sessions.values().stream().filter(s -> s.activeBackendThread() == backendThreadId).findFirst();
    }

    public int size() {
        return count.get();
    }

    /** Backends of {@code pool} held right now by pinned clients. */
    public int pinnedBackends(io.sluice.pool.BackendPool pool) {
        int n = 0;
        for (ClientSession s : sessions.values()) {
            if (s.holdsBackendOf(pool) && s.pinned()) {
                n++;
            }
        }
        return n;
    }

    /** Backends of {@code pool} held right now inside a transaction. */
    public int inTransaction(io.sluice.pool.BackendPool pool) {
        int n = 0;
        for (ClientSession s : sessions.values()) {
            if (s.holdsBackendOf(pool) && s.inTransaction()) {
                n++;
            }
        }
        return n;
    }

    /** Shutdown, first step: idle clients are closed now, the others after the command or transaction they are in. */
    public void drain() {
        sessions.values().forEach(ClientSession::drain);
    }

    /** Shutdown, last step: whoever is still connected gets ERR 1053 and is closed. */
    public void terminate() {
        sessions.values().forEach(ClientSession::terminate);
    }

    public Collection<ClientSession> sessions() {
        return sessions.values();
    }
}
