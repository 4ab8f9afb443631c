package dev.zx4j.bench;

import dev.zx4j.Kernel;
import dev.zx4j.Port;
import dev.zx4j.PortPacket;
import dev.zx4j.abi.Layouts;
import dev.zx4j.abi.Zx;
import dev.zx4j.sim.SimKernel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One thread queues a user packet on a port and dequeues it again (deadline in the past, so the
 * wait never blocks): through the typed API (handle bracketing, packet records) and through the
 * raw {@code Syscalls} of the simulated kernel.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PortBench {

    private SimKernel sim;
    private Port port;
    private int rawPort;
    private final PortPacket.UserPacket packet = PortPacket.UserPacket.ofWords(7, 1, 2, 3, 4);
    private final byte[] rawIn = packet.toBytes();
    private final byte[] rawOut = new byte[Layouts.PORT_PACKET_SIZE];

    @Setup(Level.Trial)
    public void setUp() {
        sim = new SimKernel();
        port = Kernel.simulated(sim).createPort();
        int[] out = new int[1];
        if (sim.zx_port_create(0, out) != Zx.ZX_OK) {
            throw new IllegalStateException("zx_port_create failed");
        }
        rawPort = out[0];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        port.close();
        sim.zx_handle_close(rawPort);
    }

    @Benchmark
    public PortPacket typedQueueWait() {
        port.queue(packet);
        return port.waitUntil(Zx.ZX_TIME_INFINITE_PAST);
    }

    @Benchmark
    public byte[] rawQueueWait() {
        if (sim.zx_port_queue(rawPort, rawIn) != Zx.ZX_OK
                || sim.zx_port_wait(rawPort, Zx.ZX_TIME_INFINITE_PAST, rawOut) != Zx.ZX_OK) {
            throw new IllegalStateException("raw round trip failed");
        }
        return rawOut;
    }
}
