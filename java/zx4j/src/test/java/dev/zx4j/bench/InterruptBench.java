package dev.zx4j.bench;

import dev.zx4j.Interrupt;
import dev.zx4j.Kernel;
import dev.zx4j.Port;
import dev.zx4j.PortOptions;
import dev.zx4j.PortPacket;
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
 * Cross-thread interrupt delivery on the simulated kernel, typed API: the benchmark thread
 * triggers a virtual interrupt bound to a port; a handler thread blocked in {@code port.wait}
 * receives the packet, acks, and answers with a user packet on a reply port that the benchmark
 * thread waits for. One operation is that full round trip (two cross-thread wake-ups), so a
 * one-way trigger → port_wait return is roughly half of it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class InterruptBench {
    private static final long IRQ_KEY = 1;
    private static final long STOP_KEY = 2;

    private Kernel zx;
    private Port irqPort;
    private Port replyPort;
    private Interrupt irq;
    private Thread handler;
    private final PortPacket.UserPacket reply = new PortPacket.UserPacket(3);

    @Setup(Level.Trial)
    public void setUp() {
        zx = Kernel.simulated();
        irqPort = zx.createPort(PortOptions.BIND_TO_INTERRUPT);
        replyPort = zx.createPort();
        irq = zx.createVirtualInterrupt();
        irq.bind(irqPort, IRQ_KEY);
        handler = new Thread(() -> {
            for (;;) {
                PortPacket p = irqPort.waitForever();
                if (p.key() == STOP_KEY) {
                    return;
                }
                irq.ack();
                replyPort.queue(reply);
            }
        }, "irq-handler");
        handler.setDaemon(true);
        handler.start();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        irqPort.queue(new PortPacket.UserPacket(STOP_KEY));
        handler.join(10_000);
        irq.close();
        irqPort.close();
        replyPort.close();
    }

    @Benchmark
    public PortPacket triggerToWaitOnAnotherThreadRoundTrip() {
        irq.trigger(1);
        return replyPort.waitForever();
    }
}
