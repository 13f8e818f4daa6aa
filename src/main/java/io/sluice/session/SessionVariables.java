package io.sluice.session;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Session system variables that differ from the server's global defaults, by lower-case name, with the values
 * the server reports through session tracking (or, for a handshake collation, its numeric id).
 *
 * <p>The character-set variables are coupled on the server: setting {@code collation_connection} changes
 * {@code character_set_connection} and the reverse, without the server reporting the implied one. So only
 * the one set last is kept, and replaying it recreates both.
 *
 * <p>{@code character_set_client} also holds a collation inside the server, which no variable shows: a string
 * parameter of a prepared statement takes it. {@code SET NAMES cs COLLATE coll} makes it {@code coll};
 * {@code SET character_set_client = cs} makes it the character set's default. It is kept apart
 * ({@link #clientCollation()}) so that a replay sets it the way the client did.
 */
public final class SessionVariables {
    public static final String CHARACTER_SET_CLIENT = "character_set_client";
    public static final String CHARACTER_SET_RESULTS = "character_set_results";
    public static final String CHARACTER_SET_CONNECTION = "character_set_connection";
    public static final String COLLATION_CONNECTION = "collation_connection";
    /** The character-set variables, in the order that replays them correctly (a collation after its charset). */
    public static final Set<String> CHARSET = Set.of(CHARACTER_SET_CLIENT, CHARACTER_SET_RESULTS, CHARACTER_SET_CONNECTION, COLLATION_CONNECTION);

    /**
     * Variables the server sets to the new default schema's on every change of schema (USE, COM_INIT_DB), with no
     * session-tracking report: after one, a session holds them as if never set.
     */
    public static final Set<String> SCHEMA_DEFAULTS = Set.of("character_set_database", "collation_database");

    /**
     * Variables that are the last insert id under another name: setting one is LAST_INSERT_ID(n), which Sluice
     * keeps apart (and has no DEFAULT to be reset to).
     */
    private static final Set<String> LAST_INSERT_ID = Set.of("last_insert_id", "identity");

    /**
     * Variables whose value is not a setting a replay could restore: consumed by the next statement
     * ({@code insert_id}), or advanced by every use ({@code rand_seed1}, {@code rand_seed2}). A client that sets
     * one keeps its backend.
     */
    public static final Set<String> NOT_REPLAYABLE = Set.of("insert_id", "rand_seed1", "rand_seed2");

    /**
     * The transaction characteristics as variables. Set inside a transaction, they change what the variables read
     * at once but what the server runs with only at that transaction's COMMIT or ROLLBACK, not when something else
     * ends it (SET autocommit = 1): until then a session runs with what its variables no longer say.
     */
    public static final Set<String> TRANSACTION_CHARACTERISTICS = Set.of("tx_read_only", "transaction_read_only", "tx_isolation", "transaction_isolation");

    private final Map<String, String> values = new LinkedHashMap<>();
    /** The collation a SET NAMES gave character_set_client, or null: the one its value gives (a name's default, an id's own). */
    private String clientCollation;
    private int changes;

    /** Whether a reported variable is session state a replay sets. */
    static boolean replayable(String name) {
        return !SessionState.isTrackingSetting(name) && !LAST_INSERT_ID.contains(name) && !NOT_REPLAYABLE.contains(name);
    }

    /** The last insert id a tracking report says was set through a variable, or null. */
    static Long lastInsertIdSet(Map<String, String> reported) {
        for (String name : LAST_INSERT_ID) {
            String value = reported.get(name);
            if (value != null) {
                try {
                    return Long.parseUnsignedLong(value);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** What a connection whose handshake named {@code collationId} starts with, as the server sets it. */
    public static SessionVariables forHandshakeCollation(int collationId) {
        SessionVariables v = new SessionVariables();
        String id = Integer.toString(collationId);
        v.values.put(CHARACTER_SET_CLIENT, id);
        v.values.put(CHARACTER_SET_RESULTS, id);
        v.values.put(COLLATION_CONNECTION, id);
        return v;
    }

    /**
     * How many times the variables changed (or may have): with {@link SessionState#version()} and
     * {@link BackendState#version()}, tells that two states compared equal before and neither changed since.
     */
    int changes() {
        return changes;
    }

    public void set(String name, String value) {
        changes++;
        if (name.equals(COLLATION_CONNECTION)) {
            values.remove(CHARACTER_SET_CONNECTION);
        } else if (name.equals(CHARACTER_SET_CONNECTION)) {
            values.remove(COLLATION_CONNECTION);
        } else if (name.equals(CHARACTER_SET_CLIENT)) {
            clientCollation = null;
        }
        values.put(name, value);
    }

    /** The collation character_set_client holds: what a SET NAMES chose, or null for the one its value gives. */
    public String clientCollation() {
        return clientCollation;
    }

    /**
     * After a SET NAMES (or anything that set the three character sets at once): the collation it gave the
     * connection, which it gave character_set_client too, kept when it belongs to that character set.
     */
    public void namesCollation(String collation) {
        String client = values.get(CHARACTER_SET_CLIENT);
        if (client != null && collation.startsWith(client + "_")) {
            changes++;
            clientCollation = collation;
        }
    }

    /** Sets a variable, or (null) takes it back to the server's default. */
    public void setOrRemove(String name, String value) {
        changes++;
        if (name.equals(CHARACTER_SET_CLIENT) && !java.util.Objects.equals(value, values.get(name))) {
            clientCollation = null;
        }
        if (value == null) {
            values.remove(name);
        } else {
            values.put(name, value);
        }
    }

    /** After a change of schema: the schema's character set and collation, as if never set. */
    public void schemaChanged() {
        changes++;
        values.keySet().removeAll(SCHEMA_DEFAULTS);
    }

    public void setAll(Map<String, String> changes) {
        changes.forEach(this::set);
    }

    public String get(String name) {
        return values.get(name);
    }

    public Map<String, String> asMap() {
        return java.util.Collections.unmodifiableMap(values);
    }

    public void clear() {
        changes++;
        values.clear();
        clientCollation = null;
    }

    public void copyFrom(SessionVariables other) {
        changes++;
        values.clear();
        values.putAll(other.values);
        clientCollation = other.clientCollation;
    }

    /** Whether the charset group is the same on both sides (compared as a group, since it is replayed as one). */
    boolean sameCharset(SessionVariables other) {
        for (String name : CHARSET) {
            if (!java.util.Objects.equals(values.get(name), other.values.get(name))) {
                return false;
            }
        }
        return java.util.Objects.equals(clientCollation, other.clientCollation);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionVariables v && v.values.equals(values) && java.util.Objects.equals(v.clientCollation, clientCollation);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return clientCollation == null ? values.toString() : values + " client collation " + clientCollation;
    }
}
