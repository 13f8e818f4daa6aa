package io.sluice.transparency;

import java.util.List;

/**
 * Where a program's run through Sluice first observed something else than its run on a direct connection.
 *
 * @param step the index of the first differing step, or {@code program.steps().size()} for the tables afterwards
 */
record Mismatch(Program program, int step, List<List<String>> direct, List<List<String>> viaSluice) {

    static Mismatch between(Program program, List<List<String>> direct, List<List<String>> viaSluice) {
        int n = Math.max(direct.size(), viaSluice.size());
        for (int i = 0; i < n; i++) {
            List<String> d = i < direct.size() ? direct.get(i) : List.of("(nothing)");
            List<String> s = i < viaSluice.size() ? viaSluice.get(i) : List.of("(nothing)");
            if (!d.equals(s)) {
                return new Mismatch(program, i, direct, viaSluice);
            }
        }
        return null;
    }

    /** The step that differed, as printed (programs failing at the same kind of step are likely one bug). */
    String signature() {
        return step < program.steps().size() ? program.steps().get(step).text() : "committed tables";
    }

    /** One line: where, and the first observation that differs. */
    String brief() {
        List<String> d = step < direct.size() ? direct.get(step) : List.of();
        List<String> s = step < viaSluice.size() ? viaSluice.get(step) : List.of();
        int i = 0;
        while (i < d.size() && i < s.size() && d.get(i).equals(s.get(i))) {
            i++;
        }
        return "program " + program.index() + " step " + step + " [" + signature() + "]: direct "
                + (i < d.size() ? d.get(i) : "(nothing)") + " / sluice " + (i < s.size() ? s.get(i) : "(nothing)");
    }

    /** The program, what both runs observed up to the difference, and the difference. */
    String render() {
        StringBuilder out = new StringBuilder(program.render());
        out.append("first difference at ").append(step < program.steps().size() ? "step " + step : "the committed tables afterwards").append(":\n");
        for (int i = Math.max(0, step - 3); i <= step && i < direct.size(); i++) {
            String label = i < program.steps().size() ? String.format("%3d  %s", i, program.steps().get(i).text()) : "  committed tables";
            out.append(label).append('\n');
            List<String> d = direct.get(i);
            List<String> s = i < viaSluice.size() ? viaSluice.get(i) : List.of("(nothing)");
            if (d.equals(s)) {
                d.forEach(line -> out.append("       both:   ").append(line).append('\n'));
            } else {
                d.forEach(line -> out.append("       direct: ").append(line).append('\n'));
                s.forEach(line -> out.append("       sluice: ").append(line).append('\n'));
            }
        }
        return out.toString();
    }
}
