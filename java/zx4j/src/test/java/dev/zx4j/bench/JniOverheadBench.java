package dev.zx4j.bench;

import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Syscalls;
import dev.zx4j.abi.Zx;
import dev.zx4j.jni.NativeKernel;
import dev.zx4j.sim.ManualClock;
import dev.zx4j.sim.SimKernel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same syscalls on the simulated kernel directly ({@code sim}) and through Java → JNI → host
 * libzircon (C) → simulated kernel ({@code jni}).
 *
 * <p>Run: see README, "JNI bridge" (mvn test-compile, then org.openjdk.jmh.Main JniOverheadBench).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class JniOverheadBench {

    @Param({"sim", "jni"})
    public String kernel;

    private Syscalls zx;
    private int port;
    private final byte[] packet = new byte[Layouts.PORT_PACKET_SIZE];

    @Setup(Level.Trial)
    public void setup() {
        SimKernel sim = new SimKernel(new ManualClock(1_000_000_000L));
        zx = kernel.equals("jni") ? NativeKernel.hosted(sim) : sim;
        int[] out = new int[1];
        if (zx.zx_port_create(0, out) != Zx.ZX_OK) {
            throw new IllegalStateException("port");
        }
        port = out[0];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        zx.zx_handle_close(port);
    }

    /** A call with scalar arguments only: {@code zx_handle_close(ZX_HANDLE_INVALID)}. */
    @Benchmark
    public int closeInvalid() {
        return zx.zx_handle_close(Zx.ZX_HANDLE_INVALID);
    }

    /** Two calls each passing a 48-byte packet: {@code zx_port_queue} then {@code zx_port_wait}. */
    @Benchmark
    public int portQueueWait() {
        int s = zx.zx_port_queue(port, packet);
        return s | zx.zx_port_wait(port, 0, packet);
    }
}
