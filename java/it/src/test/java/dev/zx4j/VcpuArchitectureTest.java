package dev.zx4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.zx4j.junit.SimulatedZircon;
import dev.zx4j.sim.SimKernel;
import org.junit.jupiter.api.Test;

/**
 * The typed VCPU state is the x86-64 layout: on a kernel whose VCPUs are arm64 (the native kernel
 * on an arm64 Fuchsia device) it is refused in Java, with the reason, before any syscall.
 */
@SimulatedZircon
class VcpuArchitectureTest {

    @Test
    void theSimulatedKernelsGuestsAreX86(Kernel kernel) {
        assertEquals("x86_64", kernel.guestArchitecture());
    }

    @Test
    void arm64GuestsRefuseTheX86RegisterLayout(SimKernel sim) {
        Kernel arm = Kernel.withGuestArchitecture(sim, "aarch64");
        assertEquals("aarch64", arm.guestArchitecture());
        try (Resource hv = arm.adopt(sim.platform().createHypervisorResource(), Resource.class);
             Guest guest = arm.createGuest(hv);
             Vcpu vcpu = guest.createVcpu(0x2000)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    vcpu::readState);
            assertTrue(e.getMessage().contains("x86-64") && e.getMessage().contains("aarch64")
                    && e.getMessage().contains("264 bytes"), e.getMessage());
            assertThrows(UnsupportedOperationException.class,
                    () -> vcpu.writeState(X86Registers.ZERO));
        }
    }
}
