package dev.zx4j.bench;

import dev.zx4j.sim.x86.CompiledGuest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * EEMBC CoreMark on the software VCPU: one operation is one {@code work(N)} call of the guest
 * scripts/bench-coremark.sh builds (N CoreMark iterations with the performance-run seeds; the
 * result is a hash of everything CoreMark reports, checked against the same object code run
 * natively). The auxiliary counter {@code iterations} is CoreMark's score in iterations per
 * second; {@link QemuUserBench} times the same objects under qemu-user.
 *
 * <p>Run: {@code scripts/bench-coremark.sh} once, then
 * {@code mvn -q -Pbench test-compile exec:exec -Djmh.include=CoreMarkBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class CoreMarkBench {
    /** Where scripts/bench-coremark.sh leaves the guest, the Linux program and the result. */
    static final Path DIR = Path.of("target/coremark");

    @Param({"translated", "ops"})
    public String engine;

    private CompiledGuest guest;
    private long n;
    private long expected;

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Counters {
        public long iterations;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path exp = DIR.resolve("expected.txt");
        if (!Files.isRegularFile(exp)) {
            throw new IllegalStateException(exp + " missing: run scripts/bench-coremark.sh first");
        }
        String[] f = Files.readString(exp).trim().split("\\s+");
        n = Long.parseLong(f[1]);
        expected = Long.parseUnsignedLong(f[2]);
        System.setProperty("zx4j.guests.dir", DIR.resolve("guests").toString());
        guest = new CompiledGuest(f[0]);
        if (engine.equals("ops")) {
            guest.translateAfter(-1);
        }
        run();
    }

    private long run() {
        CompiledGuest.Run r = guest.run(n, Long.MAX_VALUE / 2);
        if (!r.completed() || r.value() != expected) {
            throw new IllegalStateException("CoreMark on the VCPU: " + r.exits() + ", result "
                    + Long.toUnsignedString(r.value()) + ", native " + Long.toUnsignedString(expected));
        }
        return r.instructions();
    }

    @Benchmark
    public long coremark(Counters c) {
        long instr = run();
        c.iterations += n;
        return instr;
    }
}
