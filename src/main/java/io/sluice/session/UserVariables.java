package io.sluice.session;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * User variables by lower-case name (the server treats their names case-insensitively): the ones a client
 * has set, or the ones Sluice knows a backend holds.
 */
public final class UserVariables {
    /** Names Sluice writes into statements as {@code @`name`}: anything but a backtick and NUL. */
    private static final Pattern WRITABLE_NAME = Pattern.compile("[^`\\x00]{1,64}");

    /** Made with the first variable: most clients set none, and thousands of them may be connected. */
    private Map<String, UserValue> values;
    /** How many times the variables changed (or may have); see SessionVariables#changes. */
    private int changes;

    public static boolean writable(String name) {
        return WRITABLE_NAME.matcher(name).matches();
    }

    int changes() {
        return changes;
    }

    public void set(String name, UserValue value) {
        changes++;
        if (values == null) {
            values = new LinkedHashMap<>();
        }
        values.put(name, value);
    }

    public UserValue get(String name) {
        return values == null ? null : values.get(name);
    }

    public void remove(String name) {
        changes++;
        if (values != null) {
            values.remove(name);
        }
    }

    public Map<String, UserValue> asMap() {
        return values == null ? Map.of() : Collections.unmodifiableMap(values);
    }

    public void clear() {
        changes++;
        if (values != null) {
            values.clear();
        }
    }

    public void copyFrom(UserVariables other) {
        clear();
        if (!other.isEmpty()) {
            if (values == null) {
                values = new LinkedHashMap<>();
            }
            values.putAll(other.values);
        }
    }

    public boolean isEmpty() {
        return values == null || values.isEmpty();
    }

    /** The reference to a variable in SQL. */
    public static String reference(String name) {
        return "@`" + name + "`";
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
