package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.SimKernel;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The typed view of the simulated machine ({@link Kernel#simulatedPlatform()}), and the names of
 * the typed API that could be confused with {@link Object}'s.
 */
@SimulatedZircon
class SimulatedPlatformTest {

    @Test
    void resourcesComeOwnedAndTyped(Kernel zx, SimKernel sim) {
        SimulatedPlatform platform = zx.simulatedPlatform();
        assertSame(sim, platform.simKernel());
        assertSame(sim, zx.simulation().orElseThrow());
        try (Resource hv = platform.hypervisorResource();
             Resource vmex = platform.vmexResource();
             Resource root = platform.rootResource();
             Resource irqs = platform.irqResource(40, 2);
             Guest guest = zx.createGuest(hv);
             Interrupt irq = zx.createInterrupt(irqs, 41);
             Vmo exec = zx.createVmo(4096).replaceAsExecutable(vmex);
             Guest another = zx.createGuest(root)) {
            assertEquals(ObjectType.RESOURCE, hv.info().type());
            assertEquals(ObjectType.INTERRUPT, irq.info().type());
            assertTrue(exec.info().rights().contains(Rights.EXECUTE));
            assertEquals(41, platform.irqLine(41).vector());
            ZxException outside = assertThrows(ZxException.class,
                    () -> zx.createInterrupt(irqs, 42));
            assertEquals(Status.OUT_OF_RANGE, outside.status());
        }
        assertThrows(IllegalArgumentException.class, () -> platform.irqLine(256));
        assertThrows(IllegalArgumentException.class, () -> platform.irqResource(-1, 1));
    }

    @Test
    void aKernelThatIsNotSimulatedHasNoPlatform(SimKernel sim) {
        Kernel wrapped = Kernel.of(RecordingSyscalls.wrap(sim).proxy());
        assertTrue(wrapped.simulation().isEmpty());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                wrapped::simulatedPlatform);
        assertTrue(e.getMessage().contains("not a simulated kernel"), e.getMessage());
    }

    @Test
    void portHasNoMethodNamedWait() throws Exception {
        // port.wait(1000) must not compile into Object.wait(long) by mistake: the timed wait
        // is waitFor(Duration), and Port declares nothing named "wait".
        assertTrue(Arrays.stream(Port.class.getDeclaredMethods()).map(Method::getName)
                .noneMatch("wait"::equals));
        assertEquals(PortPacket.class, Port.class.getMethod("waitFor", Duration.class)
                .getReturnType());
    }
}
