package dev.zx4j.bench;

import dev.zx4j.sim.x86.CompiledGuest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Guest speed of the software VCPU on compiled C (native/guests/c): one operation is one
 * {@code work(benchN)} run of a guest from {@code _start} to its HLT on the same
 * {@link dev.zx4j.sim.x86.X86Cpu} (its decoded-block cache stays warm, as in a long-running
 * guest). The auxiliary counter {@code guestInstr} is the guest instructions retired, so in
 * throughput mode JMH reports it as guest instructions per second (÷ 10^6 = guest MIPS) next to
 * runs per second. {@code engine} compares the bytecode translator with compiled op blocks
 * alone. benchN per workload is in native/guests/c/params.txt (about 10–100 ms a run).
 *
 * <p>Run: {@code mvn -q -Pbench test-compile exec:exec -Djmh.include=GuestMipsBench}
 * (other variants: {@code -Djmh.args="... -p variant=c-sieve-gcc-Os,c-sieve-clang-O2"}).
 * scripts/bench-qemu.sh times the same object files under qemu-user for comparison.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class GuestMipsBench {

    @Param({"c-crc32-gcc-O2", "c-sieve-gcc-O2", "c-fib-gcc-O2", "c-checksum-gcc-O2",
            "c-switchy-gcc-O2", "c-mul128-gcc-O2", "c-fmt-gcc-O2", "c-nbody-gcc-O2",
            "c-fpmix-gcc-O2"})
    public String variant;

    /**
     * {@code translated}: hot code translated to JVM bytecode (the default engine);
     * {@code ops}: compiled op blocks only, the engine before translation.
     */
    @Param({"translated", "ops"})
    public String engine;

    private CompiledGuest guest;
    private long n;

    /** Guest instructions retired, reported by JMH as a rate (instructions per second). */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Counters {
        public long guestInstr;
    }

    @Setup(Level.Trial)
    public void setUp() {
        CompiledGuest.Variant v = CompiledGuest.variants().stream()
                .filter(x -> x.name().equals(variant)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no compiled guest " + variant));
        n = v.benchN();
        guest = new CompiledGuest(variant);
        if (engine.equals("ops")) {
            guest.translateAfter(-1);
        }
        CompiledGuest.Run r = guest.run(n, Long.MAX_VALUE / 2);
        if (!r.completed()) {
            throw new IllegalStateException(variant + " did not complete: " + r.exits());
        }
        System.out.printf("%n%s: N=%d, %d guest instructions per run, result %s%n",
                variant, n, r.instructions(), Long.toUnsignedString(r.value()));
    }

    @Benchmark
    public long run(Counters c) {
        CompiledGuest.Run r = guest.run(n, Long.MAX_VALUE / 2);
        if (!r.completed()) {
            throw new IllegalStateException(variant + " did not complete: " + r.exits());
        }
        c.guestInstr += r.instructions();
        return r.value();
    }
}
