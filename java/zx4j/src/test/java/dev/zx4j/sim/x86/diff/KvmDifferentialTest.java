package dev.zx4j.sim.x86.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random instruction sequences on the software VCPU and on the host CPU through /dev/kvm (at
 * CPL3, natively), compared register for register, RFLAGS under the architecturally defined
 * flags, and the case's scratch and stack memory byte for byte.
 *
 * <p>The default seed is fixed, so a build is repeatable and a red build is never a matter of
 * luck; {@code -Dzx4j.diff.seed=random} draws a new seed (printed, and named in failures) to
 * explore, {@code -Dzx4j.diff.seed=N} repeats a run, {@code -Dzx4j.diff.cases=N} sets the number
 * of cases (default 10000). Skipped, with the reason,
 * where /dev/kvm is absent or unusable or {@code kvm-oracle} was not built.
 */
class KvmDifferentialTest {
    /** The seed of an ordinary build. */
    static final long DEFAULT_SEED = 0x5EED_D1FFL;

    static KvmOracle oracle;
    static String unavailable;

    @BeforeAll
    static void openOracle() {
        try {
            oracle = KvmOracle.open(KvmOracle.defaultBinary());
        } catch (KvmOracle.Unavailable e) {
            unavailable = "no hardware oracle: " + e.getMessage();
        }
    }

    static long seed(String property) {
        return property.equals("random") ? System.nanoTime() ^ System.currentTimeMillis()
                : Long.decode(property);
    }

    @Test
    void randomSequencesMatchTheHostCpu() throws Exception {
        Assumptions.assumeTrue(oracle != null, () -> unavailable);
        long seed = seed(System.getProperty("zx4j.diff.seed", Long.toString(DEFAULT_SEED)));
        int total = Integer.getInteger("zx4j.diff.cases", 10_000);
        String reproduce = "-Dzx4j.diff.seed=" + seed + " -Dzx4j.diff.cases=" + total;
        System.out.println("KvmDifferentialTest: " + total + " cases, " + reproduce + ", host "
                + oracle.cpuDescription());
        SequenceGenerator.Features f = Differential.features(oracle);
        SoftCpuRunner cpu = new SoftCpuRunner();
        int done = 0;
        int batch = 0;
        long hwNanos = 0;
        while (done < total) {
            int n = Math.min(total - done, 20_000);
            Layout l = new Layout(n);
            List<DiffCase> cases = Differential.generate(seed + batch, l, f, 12);
            long t0 = System.nanoTime();
            List<Outcome> hw = oracle.run(cases, l);
            hwNanos += System.nanoTime() - t0;
            assertEquals(n, hw.size());
            List<Differential.Mismatch> bad = Differential.check(cases, hw, cpu);
            assertTrue(bad.isEmpty(), () -> Differential.summary(bad, n, reproduce));
            done += n;
            batch++;
        }
        System.out.printf("KvmDifferentialTest: %d cases agree; hardware batches took %.0f ms%n", total,
                hwNanos / 1e6);
    }
}
