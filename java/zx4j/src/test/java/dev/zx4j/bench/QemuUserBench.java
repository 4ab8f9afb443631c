package dev.zx4j.bench;

import dev.zx4j.sim.x86.CompiledGuest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * The qemu-user side of {@link GuestMipsBench} and {@link CoreMarkBench}: the same object files
 * linked as static Linux programs ({@code prog N REPS}, built by scripts/build-c-guests.sh and
 * scripts/bench-coremark.sh) run under {@code qemu-x86_64}, one process per operation with REPS
 * chosen so that a run takes about a second. Guest instructions per {@code work(N)} call are
 * counted on the software VCPU (the same object code retires the same instructions), so
 * {@code guestInstr} is in the same unit as GuestMipsBench's; {@code iterations} counts
 * {@code work(N)} calls × N, CoreMark's score. Each operation includes one qemu start (printed in
 * the set-up; a few per cent of a run), which slightly understates qemu.
 *
 * <p>Run: {@code mvn -q -Pbench test-compile exec:exec -Djmh.include=QemuUserBench} (needs
 * qemu-user; the CoreMark row needs scripts/bench-coremark.sh first).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
public class QemuUserBench {

    @Param({"c-crc32-gcc-O2", "c-sieve-gcc-O2", "c-fib-gcc-O2", "c-checksum-gcc-O2",
            "c-switchy-gcc-O2", "c-mul128-gcc-O2", "c-fmt-gcc-O2", "coremark-gcc-O2"})
    public String program;

    private Path prog;
    private long n;
    private long instrPerCall;
    private long reps;
    private String expected;

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Counters {
        public long guestInstr;
        public long iterations;
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
        CompiledGuest guest;
        if (program.startsWith("coremark")) {
            prog = CoreMarkBench.DIR.resolve("qemu").resolve(program);
            String[] f = Files.readString(CoreMarkBench.DIR.resolve("expected.txt")).trim().split("\\s+");
            n = Long.parseLong(f[1]);
            System.setProperty("zx4j.guests.dir", CoreMarkBench.DIR.resolve("guests").toString());
        } else {
            prog = Path.of("java/zx4j/target/guests/qemu").resolve(program);
            n = CompiledGuest.variants().stream().filter(v -> v.name().equals(program)).findFirst()
                    .orElseThrow().benchN();
        }
        if (!Files.isRegularFile(prog)) {
            throw new IllegalStateException(prog + " missing (scripts/build-c-guests.sh, scripts/bench-coremark.sh)");
        }
        guest = new CompiledGuest(program);
        CompiledGuest.Run r = guest.run(n, Long.MAX_VALUE / 2);
        instrPerCall = r.instructions();
        expected = Long.toUnsignedString(r.value());
        String got = qemu(1);
        if (!got.equals(expected)) {
            throw new IllegalStateException(program + ": qemu-user gives " + got + ", the VCPU " + expected);
        }
        reps = 1;
        for (;;) {
            long t0 = System.nanoTime();
            qemu(reps);
            if (System.nanoTime() - t0 > 700_000_000L) {
                break;
            }
            reps *= 2;
        }
        long t0 = System.nanoTime();
        qemu(0);
        System.out.printf("%n%s: N=%d, %d guest instructions per call, %d calls per run, qemu start %.1f ms%n",
                program, n, instrPerCall, reps, (System.nanoTime() - t0) / 1e6);
    }

    private String qemu(long r) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("qemu-x86_64", prog.toString(), Long.toString(n),
                Long.toString(r))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("qemu-x86_64 " + prog + " failed: " + out);
        }
        return out;
    }

    @Benchmark
    public String run(Counters c) throws IOException, InterruptedException {
        String out = qemu(reps);
        if (!out.equals(expected)) {
            throw new IllegalStateException(program + ": qemu-user gives " + out + ", expected " + expected);
        }
        c.guestInstr += reps * instrPerCall;
        c.iterations += reps * n;
        return out;
    }
}
