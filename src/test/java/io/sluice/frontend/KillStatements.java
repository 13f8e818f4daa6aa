package io.sluice.frontend;

import java.util.Optional;

/** {@link KillStatement#parse}, for the fuzz tests outside this package. */
public final class KillStatements {
    private KillStatements() {
    }

    /** The KILL statement in {@code sql[offset, offset + length)}, described, or empty if it is none. */
    public static Optional<String> parse(byte[] sql, int offset, int length) {
        return KillStatement.parse(sql, offset, length).map(KillStatement::toString);
    }
}
