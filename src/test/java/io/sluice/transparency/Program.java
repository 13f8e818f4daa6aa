package io.sluice.transparency;

import java.util.List;

/**
 * A client program: how it connects and what it does. Programs are generated from a seed and an index
 * ({@link ProgramGenerator}), so that a failing one can be generated again anywhere.
 *
 * @param seed          the run's seed
 * @param index         the program's number under that seed
 * @param loginSchema   1 or 2 for the namespace's schema of that number, 0 for none
 * @param multiQueries  Connector/J allowMultiQueries (CLIENT_MULTI_STATEMENTS)
 * @param serverPrepare Connector/J useServerPrepStmts (the binary protocol for prepared statements)
 */
record Program(long seed, int index, int loginSchema, boolean multiQueries, boolean serverPrepare, List<Step> steps) {
    static final int STEP_TIMEOUT_MILLIS = 90_000;

    Program withSteps(List<Step> fewer) {
        return new Program(seed, index, loginSchema, multiQueries, serverPrepare, List.copyOf(fewer));
    }

    /** Connector/J URL parameters of the program's connections. */
    String urlParameters() {
        return "sslMode=DISABLED&allowPublicKeyRetrieval=true&useServerPrepStmts=" + serverPrepare
                + "&allowMultiQueries=" + multiQueries + "&cachePrepStmts=false&connectTimeout=20000"
                // A step that hangs (a leaked lock, a lost wake-up) fails as an observation instead of stalling the test.
                + "&socketTimeout=" + STEP_TIMEOUT_MILLIS;
    }

    @Override
    public String toString() {
        return index >= 0 ? "program " + index + " of seed " + seed : steps.get(0).text();
    }

    /** The program as a reader wants it: how to regenerate it, how it connects, and each step numbered. */
    String render() {
        StringBuilder out = new StringBuilder();
        if (index >= 0) {
            out.append("program ").append(index).append(" of seed ").append(seed)
                    .append(" (regenerate: -Dtransparency.seed=").append(seed).append(" -Dtransparency.program=").append(index).append(")\n");
        } else {
            out.append("hand-written program\n");
        }
        out.append("  connect: schema ").append(loginSchema == 0 ? "none" : "S" + loginSchema).append(", ").append(urlParameters()).append('\n');
        for (int i = 0; i < steps.size(); i++) {
            out.append(String.format("  %3d  %s%n", i, steps.get(i).text()));
        }
        return out.toString();
    }
}
