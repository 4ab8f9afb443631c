package dev.zx4j.sim.x86.diff;

import java.util.ArrayList;
import java.util.List;

/** Generating batches of cases and comparing the software VCPU's outcomes with expected ones. */
final class Differential {
    private Differential() {}

    /** Features to generate for, from the oracle's host CPU. */
    static SequenceGenerator.Features features(KvmOracle o) {
        return new SequenceGenerator.Features(o.has("lzcnt"), o.has("bmi1"));
    }

    /**
     * {@code count} random cases for layout {@code l}, each of 1..{@code maxUnits} units, from
     * {@code seed}.
     */
    static List<DiffCase> generate(long seed, Layout l, SequenceGenerator.Features f, int maxUnits) {
        SequenceGenerator g = new SequenceGenerator(seed, f);
        java.util.Random units = new java.util.Random(seed ^ 0x9E3779B97F4A7C15L);
        List<DiffCase> cases = new ArrayList<>(l.count);
        for (int i = 0; i < l.count; i++) {
            cases.add(g.generate(i, l.snippetAddress(i), l.memAddress(i), l.stackTop(i), 1 + units.nextInt(maxUnits)));
        }
        return cases;
    }

    /** One case whose outcome on the software VCPU differs from the expected one. */
    record Mismatch(DiffCase c, Outcome expected, Outcome actual, List<String> diff) {
        String report() {
            StringBuilder sb = new StringBuilder(c.describe());
            sb.append("  differences:\n");
            for (String d : diff) {
                sb.append("    ").append(d).append('\n');
            }
            sb.append("  expected (hardware):").append(expected.describe()).append('\n');
            sb.append("  actual (X86Cpu):").append(actual.describe()).append('\n');
            return sb.toString();
        }
    }

    /** Runs every case on {@code cpu} and returns those that differ from {@code expected}. */
    static List<Mismatch> check(List<DiffCase> cases, List<Outcome> expected, SoftCpuRunner cpu) {
        List<Mismatch> bad = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            DiffCase c = cases.get(i);
            Outcome actual = cpu.run(c);
            List<String> d = actual.diff(expected.get(i), c.definedFlags());
            if (!d.isEmpty()) {
                bad.add(new Mismatch(c, expected.get(i), actual, d));
            }
        }
        return bad;
    }

    /** A failure message: how many, and the first few in full. */
    static String summary(List<Mismatch> bad, int total, String reproduce) {
        StringBuilder sb = new StringBuilder();
        sb.append(bad.size()).append(" of ").append(total).append(" cases differ from the hardware result")
                .append(" (").append(reproduce).append(")\n\n");
        for (int k = 0; k < Math.min(bad.size(), 8); k++) {
            sb.append(bad.get(k).report()).append('\n');
        }
        if (bad.size() > 8) {
            sb.append("... and ").append(bad.size() - 8).append(" more\n");
        }
        return sb.toString();
    }
}
