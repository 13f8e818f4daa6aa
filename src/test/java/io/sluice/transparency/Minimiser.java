package io.sluice.transparency;

import java.util.ArrayList;
import java.util.List;

/**
 * Removes steps from a failing program while it still fails, so that what is printed is short enough to
 * read: chunks of halving size, then single steps. A failure that depends on what other clients do may not
 * show every time, so each candidate gets a few tries, and the minimiser stops after a bounded number of runs.
 */
final class Minimiser {
    private static final int TRIES = 3;
    private static final int MAX_RUNS = 60;

    private final DifferentialRun run;
    private final int worker;
    private final long deadline;
    private int runs;

    Minimiser(DifferentialRun run, int worker, long deadlineNanos) {
        this.run = run;
        this.worker = worker;
        this.deadline = deadlineNanos;
    }

    private boolean budgetLeft() {
        return runs < MAX_RUNS && System.nanoTime() < deadline;
    }

    Mismatch minimise(Mismatch failing) throws Exception {
        Mismatch best = failing;
        // Steps after the first difference cannot matter.
        List<Step> steps = new ArrayList<>(best.program().steps().subList(0, Math.min(best.program().steps().size(), best.step() + 1)));
        Mismatch cut = fails(best.program().withSteps(steps));
        if (cut != null) {
            best = cut;
        }
        for (int chunk = Math.max(1, best.program().steps().size() / 2); chunk >= 1 && budgetLeft(); chunk /= 2) {
            for (int from = 0; from < best.program().steps().size() && budgetLeft(); ) {
                List<Step> candidate = new ArrayList<>(best.program().steps());
                int to = Math.min(candidate.size(), from + chunk);
                if (to - from == candidate.size()) {
                    break;
                }
                candidate.subList(from, to).clear();
                Mismatch m = fails(best.program().withSteps(candidate));
                if (m != null) {
                    best = m;
                } else {
                    from += chunk;
                }
            }
        }
        return best;
    }

    private Mismatch fails(Program candidate) throws Exception {
        for (int i = 0; i < TRIES && budgetLeft(); i++) {
            runs++;
            Mismatch m = run.compare(candidate, worker);
            if (m != null) {
                return m;
            }
        }
        return null;
    }
}
