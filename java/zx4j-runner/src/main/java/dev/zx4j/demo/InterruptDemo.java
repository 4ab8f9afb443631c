package dev.zx4j.demo;

import dev.zx4j.Interrupt;
import dev.zx4j.InterruptOptions;
import dev.zx4j.Kernel;
import dev.zx4j.Port;
import dev.zx4j.PortOptions;
import dev.zx4j.PortPacket;
import dev.zx4j.Resource;
import dev.zx4j.sim.SimKernel;
import dev.zx4j.sim.SimPlatform;
import java.time.Duration;

/**
 * A tour of interrupts and ports on the simulated kernel: a virtual interrupt and a physical one
 * (hardware line 5, authorised by an IRQ resource) bound to one port, raised from another thread,
 * received as packets, acknowledged, and everything closed. Run with
 * {@code mvn -q compile exec:java}; exits 0 when every step worked.
 */
public final class InterruptDemo {
    private static final long VIRTUAL_KEY = 1;
    private static final long PHYSICAL_KEY = 2;
    private static final int VECTOR = 5;

    private InterruptDemo() {}

    /**
     * Runs the tour, printing each step.
     *
     * @param args ignored
     * @throws Exception if a step fails; the JVM then exits non-zero
     */
    public static void main(String[] args) throws Exception {
        SimKernel sim = new SimKernel();
        Kernel zx = Kernel.simulated(sim);
        SimPlatform platform = sim.platform();
        log("kernel: %s, clock at %d ns", zx, zx.monotonicNow());

        try (Port port = zx.createPort(PortOptions.BIND_TO_INTERRUPT);
             Resource irqs = zx.adopt(platform.createIrqResource(0, 16), Resource.class);
             Interrupt virt = zx.createVirtualInterrupt();
             Interrupt phys = zx.createInterrupt(irqs, VECTOR, InterruptOptions.MODE_EDGE_HIGH)) {
            log("port %s, rights %s", port, port.info().rights());
            log("IRQ resource %s covering vectors 0..15", irqs);
            log("virtual interrupt %s, physical interrupt %s on line %d", virt, phys, VECTOR);
            virt.bind(port, VIRTUAL_KEY);
            phys.bind(port, PHYSICAL_KEY);
            log("bound both to the port (keys %d and %d)", VIRTUAL_KEY, PHYSICAL_KEY);

            Thread source = new Thread(() -> {
                virt.trigger(zx.monotonicNow());
                log("  [%s] triggered the virtual interrupt", Thread.currentThread().getName());
                boolean delivered = platform.irqLine(VECTOR).fire();
                log("  [%s] fired hardware line %d (handler registered: %b)",
                        Thread.currentThread().getName(), VECTOR, delivered);
            }, "device");
            source.start();

            int received = 0;
            for (int round = 1; round <= 2; round++) {
                for (int i = 0; i < 2; i++) {
                    PortPacket p = port.waitFor(Duration.ofSeconds(5));
                    if (!(p instanceof PortPacket.InterruptPacket ip)) {
                        throw new IllegalStateException("unexpected packet " + p);
                    }
                    Interrupt from = ip.key() == VIRTUAL_KEY ? virt : phys;
                    log("received %s packet key=%d timestamp=%d",
                            from == virt ? "virtual" : "physical", ip.key(), ip.timestamp());
                    from.ack();
                    received++;
                }
                source.join();
                if (round == 1) {
                    log("acked both; raising them again");
                    source = new Thread(() -> {
                        virt.trigger();
                        platform.irqLine(VECTOR).fire();
                    }, "device");
                    source.start();
                }
            }
            log("received %d interrupt packets", received);
            virt.unbind(port);
            phys.destroy();
            log("unbound the virtual interrupt, destroyed the physical one");
        }
        if (!sim.liveHandles().isEmpty()) {
            log("LEAK: %s", sim.liveHandles());
            System.exit(1);
        }
        log("closed everything; no handles left");
    }

    private static void log(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }
}
