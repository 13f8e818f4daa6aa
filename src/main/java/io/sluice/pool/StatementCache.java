package io.sluice.pool;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The statements prepared on one backend connection, by SQL, least recently used first out. An evicted
 * statement is closed on the backend (through {@code onEvict}), so a connection never holds more than
 * {@code capacity} server-side statements however many distinct SQL texts its clients prepare, and Sluice never
 * holds more than {@code maxBytes} of their SQL and prepare responses for it (plus the one statement just added,
 * which is kept even when it alone is larger: its client is about to use it).
 */
public final class StatementCache {
    /** What an entry costs beyond its bytes: the map entry, the record, the list, one array header per packet. */
    private static final int ENTRY_OVERHEAD = 128;
    private static final int PACKET_OVERHEAD = 16;

    private final int capacity;
    private final long maxBytes;
    private final LinkedHashMap<String, BackendStatement> bySql = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    public StatementCache(int capacity, long maxBytes) {
        this.capacity = Math.max(1, capacity);
        this.maxBytes = maxBytes;
    }

    public BackendStatement get(String sql) {
        return bySql.get(sql);
    }

    /** Adds a statement; {@code onEvict} receives those that no longer fit. */
    public void put(String sql, BackendStatement statement, Consumer<BackendStatement> onEvict) {
        BackendStatement replaced = bySql.put(sql, statement);
        if (replaced != null) {
            bytes -= sizeOf(sql, replaced);
            if (replaced != statement) {
                // Prepared again (its cached answer was stale): the older one is closed, not left on the backend.
                onEvict.accept(replaced);
            }
        }
        bytes += sizeOf(sql, statement);
        Iterator<Map.Entry<String, BackendStatement>> eldest = bySql.entrySet().iterator();
        while ((bySql.size() > capacity || bytes > maxBytes) && bySql.size() > 1) {
            Map.Entry<String, BackendStatement> e = eldest.next();
            eldest.remove();
            bytes -= sizeOf(e.getKey(), e.getValue());
            onEvict.accept(e.getValue());
        }
    }

    public void remove(String sql) {
        BackendStatement removed = bySql.remove(sql);
        if (removed != null) {
            bytes -= sizeOf(sql, removed);
        }
    }

    /** The server forgot them all (COM_RESET_CONNECTION, COM_CHANGE_USER). */
    public void clear() {
        bySql.clear();
        bytes = 0;
    }

    public int size() {
        return bySql.size();
    }

    /** Memory held for the statements, as counted against {@code maxBytes}. */
    public long bytes() {
        return bytes;
    }

    private static long sizeOf(String sql, BackendStatement statement) {
        long size = ENTRY_OVERHEAD + 2L * sql.length();
        for (byte[] packet : statement.response()) {
            size += PACKET_OVERHEAD + packet.length;
        }
        return size;
    }
}
