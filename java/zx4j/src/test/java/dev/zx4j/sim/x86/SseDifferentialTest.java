package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * MMX/SSE–SSE4.2 on the software VCPU against the host CPU: random single-instruction cases
 * from {@link SseCaseGenerator} run natively by native/sse/sse-oracle (a plain process, no
 * /dev/kvm) and on {@link X86Cpu}; registers, flags, FCW/FSW/tags, MXCSR, ST0–7, XMM0–15,
 * the data bytes and the exception vector must agree.
 *
 * <pre>
 * mvn -B test -Dtest=SseDifferentialTest                                 # 20,000 cases, seed 1
 * mvn -B test -Dtest=SseDifferentialTest -Dzx4j.sse.cases=1000000 -Dzx4j.sse.seed=7
 * </pre>
 */
class SseDifferentialTest {

    @Test
    void hostCpuAgrees() throws Exception {
        String[] why = new String[1];
        SseOracle oracle = SseOracle.find(why);
        assumeTrue(oracle != null, () -> "no SSE oracle: " + why[0]);
        long seed = Long.getLong("zx4j.sse.seed", 1);
        int total = Integer.getInteger("zx4j.sse.cases", 20_000);
        String report = run(oracle, seed, total);
        if (report != null) {
            fail(report);
        }
    }

    /** Runs {@code total} cases of {@code seed}; null when all agree, else the report. */
    static String run(SseOracle oracle, long seed, int total) throws Exception {
        SseCaseGenerator gen = new SseCaseGenerator(seed);
        SseCpuRunner soft = new SseCpuRunner();
        int failures = 0;
        StringBuilder report = new StringBuilder();
        Map<String, Integer> byKey = new TreeMap<>();
        for (int done = 0; done < total; ) {
            int n = Math.min(20_000, total - done);
            List<SseCase> batch = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                batch.add(gen.next());
            }
            List<SseCase.Result> hw = oracle.run(batch);
            for (int k = 0; k < n; k++) {
                SseCase c = batch.get(k);
                SseCase.Result sw = soft.run(c);
                String d = SseCase.diff(hw.get(k), sw, c.ignore);
                if (!d.isEmpty()) {
                    failures++;
                    byKey.merge(c.text.substring(0, 7), 1, Integer::sum);
                    if (failures <= 12) {
                        report.append("case ").append(done + k).append(" (seed ").append(seed).append(")\n")
                                .append(c.describe()).append(" differences:\n").append(d);
                    }
                }
            }
            done += n;
        }
        if (failures > 0) {
            return failures + " of " + total + " cases differ (seed " + seed + "); by form: " + byKey
                    + "\n" + report;
        }
        return null;
    }

    /** The documented full run: {@code SseDifferentialTest ORACLE SEED CASES}. */
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        String r = run(new SseOracle(java.nio.file.Path.of(args[0])), Long.parseLong(args[1]),
                Integer.parseInt(args[2]));
        System.out.printf("%s cases, seed %s: %s (%.0f s)%n", args[2], args[1],
                r == null ? "all agree" : r, (System.nanoTime() - t0) / 1e9);
    }
}
