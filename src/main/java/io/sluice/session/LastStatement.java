package io.sluice.session;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a session's last statement left for the next one to read: {@code ROW_COUNT()}, {@code FOUND_ROWS()},
 * and whether the diagnostics area (SHOW WARNINGS, {@code @@warning_count}, GET DIAGNOSTICS) may hold its
 * conditions. A client has one (as a dedicated connection would show it), and so has each backend (whose
 * last statement may have been another client's, or one of Sluice's own).
 *
 * <p>Every statement gets a number, so that a client can tell whether a backend's last statement is its own:
 * then everything the backend would answer about it is the client's.
 */
public final class LastStatement {
    /** A count Sluice does not know (the backend ran something whose effect on it Sluice does not follow). */
    public static final long UNKNOWN = Long.MIN_VALUE;
    /** Where {@link #conditionsFrom()} names no statement: the diagnostics area may hold conditions of unknown origin. */
    public static final long UNKNOWN_ORIGIN = -1;
    private static final AtomicLong NUMBERS = new AtomicLong();

    private long number;
    private long rowCount = -1;
    private long foundRows;
    /** The number of the statement whose conditions the diagnostics area may hold; 0 for none. */
    private long conditionsFrom;

    /** A fresh session: no statement yet, ROW_COUNT() -1, FOUND_ROWS() 0, no conditions. */
    public LastStatement() {
    }

    /** A number no statement had before. */
    public static long next() {
        return NUMBERS.incrementAndGet();
    }

    public void reset() {
        number = 0;
        rowCount = -1;
        foundRows = 0;
        conditionsFrom = 0;
    }

    /**
     * After statements Sluice does not follow (a fresh connection's, a reset's): nothing known, and conditions of
     * unknown origin may be there.
     */
    public void unknown() {
        number = next();
        rowCount = UNKNOWN;
        foundRows = UNKNOWN;
        conditionsFrom = UNKNOWN_ORIGIN;
    }

    public void copyFrom(LastStatement other) {
        number = other.number;
        rowCount = other.rowCount;
        foundRows = other.foundRows;
        conditionsFrom = other.conditionsFrom;
    }

    public long number() {
        return number;
    }

    public void number(long n) {
        number = n;
    }

    /** Whether this is the statement {@code other} describes (the same number). */
    public boolean sameAs(LastStatement other) {
        return number != 0 && number == other.number;
    }

    public long rowCount() {
        return rowCount;
    }

    public void rowCount(long n) {
        rowCount = n;
    }

    public long foundRows() {
        return foundRows;
    }

    public void foundRows(long n) {
        foundRows = n;
    }

    /** Whether the diagnostics area may hold conditions (warnings, notes, errors). */
    public boolean diagnostics() {
        return conditionsFrom != 0;
    }

    /** The statement whose conditions may be in the diagnostics area (0: none, -1: of unknown origin). */
    public long conditionsFrom() {
        return conditionsFrom;
    }

    public void conditionsFrom(long statement) {
        conditionsFrom = statement;
    }

    /** Whether the conditions the area may hold are {@code other}'s (the same client's, on the backend it kept). */
    public boolean sameConditionsAs(LastStatement other) {
        return conditionsFrom == other.conditionsFrom;
    }

    @Override
    public String toString() {
        return "#" + number + " rows " + rowCount + " found " + foundRows + (conditionsFrom != 0 ? " conditions of #" + conditionsFrom : "");
    }
}
