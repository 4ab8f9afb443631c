package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.zx4j.sim.SimKernel;
import org.junit.jupiter.api.Test;

class KernelDefaultTest {

    @Test
    void offFuchsiaThePlatformDefaultIsAFreshSimulatedKernel() {
        assumeFalse(Kernel.onFuchsia(), "this JVM runs on Fuchsia, where the default is native");
        Kernel a = Kernel.platformDefault();
        Kernel b = Kernel.platformDefault();
        assertInstanceOf(SimKernel.class, a.syscalls());
        assertFalse(a.syscalls() == b.syscalls(), "each call builds its own simulated kernel");
        try (Port p = a.createPort()) {
            assertFalse(p.isClosed());
        }
    }
}
