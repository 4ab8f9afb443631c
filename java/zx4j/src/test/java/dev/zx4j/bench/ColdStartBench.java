package dev.zx4j.bench;

import dev.zx4j.sim.x86.CompiledGuest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cold speed: guest instructions retired in the first second of a fresh JVM and a fresh VCPU
 * (decoding, op compilation, translation and HotSpot's own warm-up all included), repeating
 * {@code work(N)} of one compiled C guest (or CoreMark, when scripts/bench-coremark.sh has built
 * it) until the second is over. One operation per fork; the {@code guestInstr} counter is the
 * instructions retired in that second.
 *
 * <p>Run: {@code mvn -q -Pbench test-compile exec:exec -Djmh.include=ColdStartBench
 * -Djmh.args="-f 5"}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(3)
@State(Scope.Thread)
public class ColdStartBench {

    @Param({"c-fmt-gcc-O2", "c-crc32-gcc-O2", "coremark-gcc-O2"})
    public String variant;

    @Param({"translated", "ops"})
    public String engine;

    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Counters {
        public long guestInstr;
    }

    @Benchmark
    public long firstSecond(Counters c) throws Exception {
        long t0 = System.nanoTime();
        long n;
        if (variant.startsWith("coremark")) {
            String[] f = java.nio.file.Files.readString(CoreMarkBench.DIR.resolve("expected.txt"))
                    .trim().split("\\s+");
            n = Math.max(1, Long.parseLong(f[1]) / 20);
            System.setProperty("zx4j.guests.dir", CoreMarkBench.DIR.resolve("guests").toString());
        } else {
            n = CompiledGuest.variants().stream().filter(v -> v.name().equals(variant)).findFirst()
                    .orElseThrow().benchN() / 10;
        }
        CompiledGuest g = new CompiledGuest(variant);
        if (engine.equals("ops")) {
            g.translateAfter(-1);
        }
        long instr = 0;
        long end = t0 + 1_000_000_000L;
        while (System.nanoTime() < end) {
            CompiledGuest.Run r = g.run(n, Long.MAX_VALUE / 2);
            if (!r.completed()) {
                throw new IllegalStateException(variant + ": " + r.exits());
            }
            instr += r.instructions();
        }
        c.guestInstr = instr;
        return instr;
    }
}
