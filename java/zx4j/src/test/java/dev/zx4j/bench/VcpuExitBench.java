package dev.zx4j.bench;

import dev.zx4j.sim.x86.CompiledGuest;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the VCPU's JFR events cost: one operation is a short guest run with three exits (two
 * port writes and HLT: {@code work(0)} of a compiled C guest), so it is dominated by
 * {@code X86Cpu.run} entries and exits, each of which has event code. Three forks: the event
 * code left out ({@code -Dzx4j.jfr.events=false}), present but not enabled (the default, no
 * recording), and recorded by a running flight recording.
 *
 * <p>Run: {@code mvn -q -Pbench test-compile exec:exec -Djmh.include=VcpuExitBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class VcpuExitBench {
    private CompiledGuest guest;

    @Setup
    public void setUp() {
        guest = new CompiledGuest("c-fib-gcc-O2");
    }

    private long run() {
        CompiledGuest.Run r = guest.run(0, 1_000_000);
        if (!r.completed()) {
            throw new IllegalStateException(r.exits().toString());
        }
        return r.value();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-Dzx4j.jfr.events=false")
    public long eventCodeLeftOut() {
        return run();
    }

    @Benchmark
    @Fork(1)
    public long eventsNotEnabled() {
        return run();
    }

    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-XX:StartFlightRecording=filename=target/vcpu-exit-bench.jfr")
    public long eventsRecorded() {
        return run();
    }
}
