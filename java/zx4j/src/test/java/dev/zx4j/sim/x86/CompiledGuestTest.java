package dev.zx4j.sim.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Compiled C guests (native/guests/c, built by scripts/build-c-guests.sh with gcc -O2, gcc -Os
 * and clang -O2) run on {@link X86Cpu} give the same {@code work(N)} as the very same object
 * files run natively on the build machine's CPU.
 */
class CompiledGuestTest {
    static final List<String> WORKLOADS = List.of("crc32", "sieve", "fib", "checksum", "switchy", "mul128");
    static final List<String> VARIANTS = List.of("gcc-O2", "gcc-Os", "clang-O2");
    /** Far above what any test N needs (the largest needs a few million instructions). */
    static final long BUDGET = 50_000_000L;

    @TestFactory
    Stream<DynamicTest> guestResultEqualsHardwareResult() {
        Map<String, CompiledGuest> guests = new LinkedHashMap<>();
        return CompiledGuest.expected().stream().map(x -> DynamicTest.dynamicTest(
                x.name() + " N=" + x.n(), () -> {
                    CompiledGuest g = guests.computeIfAbsent(x.name(), CompiledGuest::new);
                    CompiledGuest.Run r = g.run(x.n(), BUDGET);
                    assertTrue(r.completed(), () -> "expected OUT 0xF0, OUT 0xF1, HLT; got " + r.exits());
                    assertEquals(Long.toUnsignedString(x.result()), Long.toUnsignedString(r.value()),
                            "work(" + x.n() + ") on X86Cpu vs. the host CPU");
                }));
    }

    /** Each workload in each variant; clang variants are skipped (with the reason) if not built. */
    @TestFactory
    Stream<DynamicTest> everyVariantIsBuiltAndChecked() {
        Set<String> built = new LinkedHashSet<>();
        CompiledGuest.variants().forEach(v -> built.add(v.name()));
        Set<String> checked = new LinkedHashSet<>();
        CompiledGuest.expected().forEach(x -> checked.add(x.name()));
        Map<String, String> skipped = CompiledGuest.skipped();
        List<DynamicTest> tests = new ArrayList<>();
        for (String w : WORKLOADS) {
            for (String v : VARIANTS) {
                String name = "c-" + w + "-" + v;
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    assumeFalse(skipped.containsKey(v), () -> v + " not built: " + skipped.get(v));
                    assertTrue(built.contains(name), name + " was not built");
                    assertTrue(checked.contains(name), name + " has no hardware reference results");
                }));
            }
        }
        return tests.stream();
    }

    /** Different compilers and optimisation levels agree on the host (the C has no UB). */
    @Test
    void variantsAgreeOnTheHost() {
        Map<String, Long> byWorkloadAndN = new LinkedHashMap<>();
        for (CompiledGuest.Expected x : CompiledGuest.expected()) {
            String w = x.name().substring(2, x.name().indexOf('-', 2));
            Long prev = byWorkloadAndN.putIfAbsent(w + " " + x.n(), x.result());
            if (prev != null) {
                assertEquals(prev, x.result(), x.name() + " N=" + x.n());
            }
        }
        assertFalse(byWorkloadAndN.isEmpty());
    }

    /** A guest re-run on the same VCPU (as the benchmark does) still computes the right value. */
    @Test
    void rerunOnTheSameVcpu() {
        Map<Long, Long> want = new LinkedHashMap<>();
        for (CompiledGuest.Expected x : CompiledGuest.expected()) {
            if (x.name().equals("c-sieve-gcc-O2")) {
                want.put(x.n(), x.result());
            }
        }
        assertTrue(want.size() >= 3);
        CompiledGuest g = new CompiledGuest("c-sieve-gcc-O2");
        for (int round = 0; round < 2; round++) {
            for (Map.Entry<Long, Long> e : want.entrySet()) {
                CompiledGuest.Run r = g.run(e.getKey(), BUDGET);
                assertTrue(r.completed(), () -> r.exits().toString());
                assertEquals(e.getValue(), r.value(), "N=" + e.getKey() + " round " + round);
                assertTrue(r.instructions() > 0);
            }
        }
    }

    /** The budget is honoured: a tiny one stops the run before the result is reported. */
    @Test
    void budgetStopsLongRun() {
        CompiledGuest g = new CompiledGuest("c-crc32-gcc-O2");
        CompiledGuest.Run r = g.run(20000, 1000);
        assertFalse(r.completed());
        assertEquals(new VcpuExit.Stopped(VcpuExit.StopReason.BUDGET_EXHAUSTED), r.exits().get(0));
    }
}
