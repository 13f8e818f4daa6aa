package io.sluice.pool;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The statements prepared on one backend connection, by SQL, least recently used first out. An evicted
 * statement is closed on the backend (through {@code onEvict}), so a connection never holds more than
 * {@code capacity} server-side statements however many distinct SQL texts its clients prepare.
 */
public final class StatementCache {
    private final int capacity;
    private final LinkedHashMap<String, BackendStatement> bySql = new LinkedHashMap<>(16, 0.75f, true);

    public StatementCache(int capacity) {
        this.capacity = Math.max(1, capacity);
    }

    public BackendStatement get(String sql) {
        return bySql.get(sql);
    }

    /** Adds a statement; {@code onEvict} receives the one that no longer fits. */
    public void put(String sql, BackendStatement statement, Consumer<BackendStatement> onEvict) {
        bySql.put(sql, statement);
        if (bySql.size() > capacity) {
            Map.Entry<String, BackendStatement> eldest = bySql.entrySet().iterator().next();
            bySql.remove(eldest.getKey());
            onEvict.accept(eldest.getValue());
        }
    }

    public void remove(String sql) {
        bySql.remove(sql);
    }

    /** The server forgot them all (COM_RESET_CONNECTION, COM_CHANGE_USER). */
    public void clear() {
        bySql.clear();
    }

    public int size() {
        return bySql.size();
    }
}
